package org.migdal.dm.cli;

/**
 * The jar's entry point: {@code --version} is answered here, before the command line is built, so that it costs little
 * more than the JVM's own start (no picocli model, no logging, no Jackson); everything else goes to {@link Main}.
 */
public final class Entry {
    private Entry() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            System.out.println(Main.VERSION); // a compile-time constant: Main is not loaded
            System.exit(Main.OK);
        }
        Main.main(args);
    }
}
