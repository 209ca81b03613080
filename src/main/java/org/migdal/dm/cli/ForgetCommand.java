package org.migdal.dm.cli;

import org.migdal.dm.catalog.ForgetResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code forget LFN…}: an operator acknowledges MISSING files that will never come back. They become FORGOTTEN: the
 * row and its history stay, the file no longer holds its disk's hand-back nor counts as work. Any other file is refused.
 */
@Command(name = "forget", mixinStandardHelpOptions = true,
        description = {"Give up MISSING files (vanished from their DAQ disk before shipping) that will never come back.",
                "They become FORGOTTEN; the catalog row and its history are kept. Files in any other state are refused."})
final class ForgetCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "LFN", arity = "1..*", description = "LFNs of MISSING files (see `migdal-dm ls --state MISSING`)")
    List<String> lfns;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = main.spec.commandLine().getOut();
        PrintWriter err = main.spec.commandLine().getErr();
        try (Context ctx = new Context(main.loadConfig())) {
            ForgetResult r = ctx.catalog().forget(lfns);
            r.forgotten().forEach(l -> out.println("forgotten: " + l));
            r.refused().forEach(l -> err.println("refused: " + l));
            out.println(r.forgotten().size() + " file(s) forgotten, " + r.refused().size() + " refused");
            return r.refused().isEmpty() ? Main.OK : Main.FAILURE;
        }
    }
}
