#!/usr/bin/env python3
"""A stand-in for a small HTCondor pool (test fixture for migdal-dm's batch package).

Formats follow /work/shared/reference/htcondor.md (HTCondor 24.8+/25.x layouts). Standard library only.

State lives in the directory named by $MIGDAL_FAKE_CONDOR:
  lock                 fcntl lock guarding every state change and every event-log append
  next_cluster         next cluster id (starts at 4711)
  next_dir             counter for execute/dir_<n>
  fault_hits.json      how many times each fault of faults.json has hit (key "<index>:<kind>:<match>")
  faults.json          written by the test (read at each decision; missing = no faults)
  jobs/C.P.json        one record per job: {"where": queue|history|vanished, "ad": {...}, "spec": {...}, ...}
  runners/C.pid        pid of the detached runner of cluster C
  runner-C.log         stdout/stderr of that runner
  execute/dir_<n>      job scratch directories (removed after each attempt)
  leftovers.txt        "C.P<TAB>relative path" for each file a normally terminated job left in its scratch dir

Commands: fakecondor.py submit|q|history|rm|release ARGS..., fakecondor.py runner C, fakecondor.py shutdown.
The bin/condor_* wrappers call these.
"""
import fcntl
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

SCHEDD_ADDR = "<127.0.0.1:9618?addrs=127.0.0.1-9618&alias=localhost&noUDP&sock=schedd_fake>"
STARTD_ADDR = "<127.0.0.1:9618?addrs=127.0.0.1-9618&alias=localhost&noUDP&sock=startd_fake_%d>"
FIRST_CLUSTER = 4711
AUTH_STACK = ("AUTHENTICATE:1003:Failed to authenticate with any method\n"
              "AUTHENTICATE:1004:Failed to authenticate using SCITOKENS\n")
Q_NOT_LOCATED = (
    "Error: Can't find address for local schedd\n"
    "\n"
    "Extra Info: You probably saw this error because the condor_schedd is not running\n"
    "on the machine you are trying to query. If the condor_schedd is not running, the\n"
    "Condor system will not be able to find an address and port to connect to and\n"
    "satisfy this request. Please make sure the Condor daemons are running and try\n"
    "again.\n"
    "\n"
    "Extra Info: If the condor_schedd is running on the machine you are trying to\n"
    "query and you still see the error, the most likely cause is that you have setup\n"
    "a personal Condor, you have not defined SCHEDD_NAME in your condor_config file,\n"
    "and something is wrong with your SCHEDD_ADDRESS_FILE setting. You must define\n"
    "either or both of those settings in your config file, or you must use the -name\n"
    "option to condor_q. Please see the Condor manual for details on SCHEDD_NAME and\n"
    "SCHEDD_ADDRESS_FILE.\n")
NOT_LEFTOVERS = {"_condor_stdout", "_condor_stderr", ".job.ad", "condor_exec.exe"}


class SubmitError(Exception):
    """stderr text (exact) for a failed condor_submit."""


class Expr:
    """A ClassAd expression kept as text (printed as "\\/Expr(...)\\/" in JSON)."""

    def __init__(self, text):
        self.text = text


# ---------------------------------------------------------------- state ----

def state_dir():
    d = os.environ.get("MIGDAL_FAKE_CONDOR")
    if not d:
        sys.stderr.write("fakecondor: MIGDAL_FAKE_CONDOR is not set\n")
        sys.exit(2)
    os.makedirs(os.path.join(d, "jobs"), exist_ok=True)
    os.makedirs(os.path.join(d, "runners"), exist_ok=True)
    os.makedirs(os.path.join(d, "execute"), exist_ok=True)
    os.makedirs(os.path.join(d, "slots"), exist_ok=True)
    return d


class Lock:
    def __init__(self, sd):
        self.path = os.path.join(sd, "lock")

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def write_atomic(path, text):
    tmp = "%s.tmp.%d.%d" % (path, os.getpid(), threading.get_ident())
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def read_counter(sd, name, first):
    p = os.path.join(sd, name)
    try:
        with open(p) as f:
            n = int(f.read().strip())
    except (OSError, ValueError):
        n = first
    write_atomic(p, "%d\n" % (n + 1))
    return n


def load_faults(sd):
    try:
        with open(os.path.join(sd, "faults.json"), encoding="utf-8") as f:
            v = json.load(f)
        return v if isinstance(v, dict) else {}
    except (OSError, ValueError):
        return {}


def schedd_state(sd):
    return str(load_faults(sd).get("schedd", "up"))


def ad_to_json(ad):
    out = {}
    for k, v in ad.items():
        out[k] = {"$expr": v.text} if isinstance(v, Expr) else v
    return out


def ad_from_json(d):
    out = {}
    for k, v in d.items():
        out[k] = Expr(v["$expr"]) if isinstance(v, dict) and "$expr" in v else v
    return out


def job_path(sd, c, p):
    return os.path.join(sd, "jobs", "%d.%d.json" % (c, p))


def load_job(sd, c, p):
    try:
        with open(job_path(sd, c, p), encoding="utf-8") as f:
            rec = json.load(f)
    except (OSError, ValueError):
        return None
    rec["ad"] = ad_from_json(rec["ad"])
    return rec


def save_job(sd, rec):
    d = dict(rec)
    d["ad"] = ad_to_json(rec["ad"])
    write_atomic(job_path(sd, rec["ad"]["ClusterId"], rec["ad"]["ProcId"]), json.dumps(d, indent=1))


def all_jobs(sd, cluster=None):
    recs = []
    for name in os.listdir(os.path.join(sd, "jobs")):
        m = re.fullmatch(r"(\d+)\.(\d+)\.json", name)
        if m and (cluster is None or int(m.group(1)) == cluster):
            r = load_job(sd, int(m.group(1)), int(m.group(2)))
            if r is not None:
                recs.append(r)
    recs.sort(key=lambda r: (r["ad"]["ClusterId"], r["ad"]["ProcId"]))
    return recs


def username():
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


# --------------------------------------------------------------- events ----

def fmt_usage(seconds):
    s = int(seconds)
    return "%d %02d:%02d:%02d" % (s // 86400, s // 3600 % 24, s // 60 % 60, s % 60)


def usage_line(usr, sys_, what):
    return "\t\tUsr %s, Sys %s  -  %s Usage" % (fmt_usage(usr), fmt_usage(sys_), what)


def append_event(rec, code, header, body=()):
    """One write of the whole event (open append, write, close); the caller holds the state lock."""
    log = rec["spec"].get("log")
    if not log:
        return
    ts = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
    text = "%03d (%03d.%03d.000) %s %s\n" % (code, rec["ad"]["ClusterId"], rec["ad"]["ProcId"], ts, header)
    text += "".join(line + "\n" for line in body) + "...\n"
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def used_slots(sd):
    return {int(n) for n in os.listdir(os.path.join(sd, "slots")) if n.isdigit()}


def claim_slot(sd, rec, slot):
    write_atomic(os.path.join(sd, "slots", str(slot)), "%d.%d\n" % (rec["ad"]["ClusterId"], rec["ad"]["ProcId"]))
    rec["slot"] = slot


def free_slot(sd, rec):
    slot = rec.pop("slot", None)
    if slot is None:
        return
    p = os.path.join(sd, "slots", str(slot))
    try:
        with open(p) as f:
            if f.read().strip() == "%d.%d" % (rec["ad"]["ClusterId"], rec["ad"]["ProcId"]):
                os.unlink(p)
    except OSError:
        pass


def to_history(sd, rec, status, **attrs):
    free_slot(sd, rec)
    now = int(time.time())
    ad = rec["ad"]
    ad["JobStatus"] = status
    ad["EnteredCurrentStatus"] = now
    for k in ("HoldReason", "HoldReasonCode", "HoldReasonSubCode"):
        ad.pop(k, None)
    ad.update(attrs)
    rec["where"] = "history"
    rec["hist_seq"] = read_counter(sd, "next_hist", 1)
    rec.pop("pid", None)
    rec.pop("pstart", None)
    save_job(sd, rec)


def proc_start_time(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def kill_job_process(rec):
    pid = rec.get("pid")
    if pid and proc_start_time(pid) == rec.get("pstart"):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


def remove_job(sd, rec, reason):
    """condor_rm (or an abort fault) on a job in the queue: 009, JobStatus 3, into history."""
    kill_job_process(rec)
    append_event(rec, 9, "Job was aborted.", ["\t" + reason])
    to_history(sd, rec, 3, RemoveReason=reason)


# ---------------------------------------------------------- submit file ----

def parse_classad_value(text):
    t = text.strip()
    if len(t) >= 2 and t[0] == '"' and t[-1] == '"':
        body, out, i = t[1:-1], [], 0
        while i < len(body):
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                nxt = body[i + 1]
                out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
                i += 2
                continue
            if ch == '"':
                return Expr(t)
            out.append(ch)
            i += 1
        return "".join(out)
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?", t):
        return float(t)
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    if t.lower() == "undefined":
        return None
    return Expr(t)


def split_quoted(inner, what):
    """New-syntax tokenizer: blanks separate, '...' groups ('' inside = '), "" = "."""
    inner = inner.replace('""', '"')
    args, cur, have, i = [], [], False, 0
    while i < len(inner):
        ch = inner[i]
        if ch in " \t":
            if have:
                args.append("".join(cur))
                cur, have = [], False
            i += 1
        elif ch == "'":
            have = True
            i += 1
            while True:
                if i >= len(inner):
                    raise SubmitError("ERROR: %s string has unterminated single quote: %s\n" % (what, inner))
                if inner[i] == "'":
                    if i + 1 < len(inner) and inner[i + 1] == "'":
                        cur.append("'")
                        i += 2
                        continue
                    i += 1
                    break
                cur.append(inner[i])
                i += 1
        else:
            cur.append(ch)
            have = True
            i += 1
    if have:
        args.append("".join(cur))
    return args


def parse_arguments(value):
    """-> (argv, attribute name, attribute value)."""
    v = value.strip()
    if v.startswith('"'):
        if len(v) < 2 or not v.endswith('"'):
            raise SubmitError("ERROR: arguments string is missing its closing double quote: %s\n" % v)
        args = split_quoted(v[1:-1], "arguments")

        def q(a):
            if a and not re.search(r"[ \t'\"]", a):
                return a
            return "'" + a.replace("'", "''") + "'"
        return args, "Arguments", " ".join(q(a) for a in args)
    args = [a.replace('\\"', '"') for a in v.split()]
    return args, "Args", v


def parse_environment(value):
    v = value.strip()
    if v.startswith('"'):
        if len(v) < 2 or not v.endswith('"'):
            raise SubmitError("ERROR: environment string is missing its closing double quote: %s\n" % v)
        entries = split_quoted(v[1:-1], "environment")
    else:
        entries = [e for e in v.split(";") if e.strip()]
    env = {}
    for e in entries:
        if "=" not in e:
            raise SubmitError("ERROR: environment entry \"%s\" is not of the form name=value\n" % e)
        k, val = e.split("=", 1)
        env[k] = val
    return env


def memory_mib(text, default):
    return _size(text, default, 1024 * 1024)


def disk_kib(text, default):
    return _size(text, default, 1024)


def _size(text, default, unit_bytes):
    if text is None or not text.strip():
        return default
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*", text, re.I)
    if not m:
        raise SubmitError("ERROR: invalid size %s\n" % text.strip())
    mult = {"": unit_bytes, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[m.group(2).upper()]
    return int(float(m.group(1)) * mult / unit_bytes + 0.999999)


MACRO = re.compile(r"\$\(([A-Za-z0-9_.]+)\)")


def expand(text, lookup, depth=0):
    if depth > 20:
        raise SubmitError("ERROR: macro expansion is too deep in: %s\n" % text)
    out, pos = [], 0
    for m in MACRO.finditer(text):
        if m.start() > 0 and text[m.start() - 1] == "$":
            continue
        out.append(text[pos:m.start()])
        out.append(expand(lookup(m.group(1)), lookup, depth + 1))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def read_submit_lines(path):
    with open(path, encoding="utf-8") as f:
        raw = f.read().split("\n")
    lines, i = [], 0
    while i < len(raw):
        start, text = i + 1, raw[i].rstrip("\r")
        while text.rstrip().endswith("\\") and i + 1 < len(raw):
            i += 1
            text = text.rstrip()[:-1] + raw[i].rstrip("\r")
        lines.append((start, text))
        i += 1
    return lines


def parse_queue(args, lineno, cwd):
    """-> list of dicts of item variables (one per job)."""
    def fail(msg):
        raise SubmitError("ERROR: %s\n\nERROR: Failed to parse command file (line %d).\n" % (msg, lineno))
    a = args.strip()
    count = 1
    m = re.match(r"(\d+)\s*(.*)$", a, re.S)
    if m:
        count, a = int(m.group(1)), m.group(2).strip()
    if not a:
        return [{} for _ in range(count)]
    m = re.match(r"(.*?)\s*\b(from|in)\b\s*(.*)$", a, re.S | re.I)
    if not m:
        fail("queue statement not supported by the fake pool: queue %s" % args.strip())
    names = [n for n in re.split(r"[\s,]+", m.group(1).strip()) if n] or ["Item"]
    kind, rest = m.group(2).lower(), m.group(3).strip()
    if kind == "in":
        mm = re.fullmatch(r"\((.*)\)", rest, re.S)
        if not mm:
            fail("queue ... in requires a list in parentheses")
        items = [x.strip() for x in mm.group(1).split(",") if x.strip()]
    else:
        if rest.startswith("("):
            fail("queue ... from ( inline items ) is not supported by the fake pool")
        p = rest if os.path.isabs(rest) else os.path.join(cwd, rest)
        try:
            with open(p, encoding="utf-8") as f:
                items = [ln.strip() for ln in f.read().split("\n") if ln.strip()]
        except OSError as e:
            fail("Failed to read queue items from %s: %s" % (rest, e.strerror))
    jobs = []
    for item in items:
        vals = {}
        rest_item = item
        for j, n in enumerate(names):
            if j == len(names) - 1:
                vals[n] = rest_item.strip()
            else:
                parts = re.split(r"[\s,]+", rest_item.strip(), maxsplit=1)
                vals[n] = parts[0]
                rest_item = parts[1] if len(parts) > 1 else ""
        for _ in range(count):
            jobs.append(vals)
    return jobs


def build_jobs(path, cwd, batch_name_opt):
    """Parse the submit file -> list of (vars snapshot, item vars). Raises SubmitError."""
    try:
        lines = read_submit_lines(path)
    except OSError as e:
        raise SubmitError("\nERROR: Failed to open command file (%s)\n" % e.strerror)
    vars_ = {}
    order = []
    queued = []
    got_queue = False
    for lineno, text in lines:
        s = text.strip()
        if not s or s.startswith("#"):
            continue
        m = re.match(r"queue\b(.*)$", s, re.I | re.S)
        if m and "=" not in s.split(None, 1)[0]:
            got_queue = True
            for item in parse_queue(m.group(1), lineno, cwd):
                queued.append((dict(vars_), list(order), item))
            continue
        if "=" not in s:
            raise SubmitError("ERROR: Parse error in submit file: \"%s\" is not of the form name = value\n"
                              "\nERROR: Failed to parse command file (line %d).\n" % (s, lineno))
        name, value = s.split("=", 1)
        name, value = name.strip(), value.strip()
        if name.startswith("+"):
            name = "MY." + name[1:].strip()
        if not name or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name):
            raise SubmitError("ERROR: Parse error in submit file: illegal name \"%s\"\n"
                              "\nERROR: Failed to parse command file (line %d).\n" % (name, lineno))
        if name.lower() not in vars_:
            order.append(name)
        else:
            order = [n for n in order if n.lower() != name.lower()] + [name]
        vars_[name.lower()] = value
    if not got_queue:
        raise SubmitError('\nERROR: "%s" doesn\'t contain any "queue" commands -- no jobs queued\n' % path)
    return queued


def make_job(cluster, proc, vars_, order, item, cwd, batch_name_opt, qdate):
    item_l = {k.lower(): v for k, v in item.items()}

    def lookup(name):
        ln = name.lower()
        if ln in ("clusterid", "cluster"):
            return str(cluster)
        if ln in ("procid", "process"):
            return str(proc)
        if ln in item_l:
            return item_l[ln]
        return vars_.get(ln, "")

    def get(name, default=None):
        v = vars_.get(name.lower())
        return default if v is None else expand(v, lookup)

    iwd = get("initialdir", cwd) or cwd
    if not os.path.isabs(iwd):
        iwd = os.path.join(cwd, iwd)

    def absp(p):
        return p if os.path.isabs(p) else os.path.normpath(os.path.join(iwd, p))

    exe = get("executable")
    if not exe:
        raise SubmitError("\nERROR: No 'executable' parameter was provided\n")
    exe = exe if os.path.isabs(exe) else os.path.normpath(os.path.join(cwd, exe))
    transfer_exe = get("transfer_executable", "True").strip().lower() not in ("false", "f", "no", "0")
    if transfer_exe and not os.path.exists(exe):
        raise SubmitError("\nERROR: Executable file %s does not exist\n" % exe)
    argv, args_attr, args_val = parse_arguments(get("arguments", "") or "")
    env = parse_environment(get("environment", "") or "")
    log = get("log")
    tif = [absp(x.strip()) for x in (get("transfer_input_files", "") or "").split(",") if x.strip()]
    proxy = get("x509userproxy")
    cpus = int(get("request_cpus", "1") or 1)
    mem = memory_mib(get("request_memory"), 128)
    disk = disk_kib(get("request_disk"), 1048576)
    ad = {
        "ClusterId": cluster, "ProcId": proc, "JobStatus": 1, "QDate": qdate, "EnteredCurrentStatus": qdate,
        "JobUniverse": 5, "Cmd": exe, "Iwd": iwd, "Owner": username(),
        "Out": absp(get("output", "/dev/null")), "Err": absp(get("error", "/dev/null")),
        "RequestCpus": cpus, "RequestMemory": mem, "RequestDisk": disk,
        "NumJobStarts": 0, "NumShadowStarts": 0, "NumJobCompletions": 0,
        "TransferExecutable": transfer_exe,
    }
    if args_val:
        ad[args_attr] = args_val
    if env:
        ad["Environment"] = " ".join("%s=%s" % (k, v if not re.search(r"[ \t'\"]", v)
                                                else "'" + v.replace("'", "''") + "'") for k, v in env.items())
    if log:
        ad["UserLog"] = absp(log)
    if tif:
        ad["TransferInput"] = ",".join(tif)
    if proxy:
        ad["x509userproxy"] = absp(proxy)
    req = get("requirements")
    if req:
        ad["Requirements"] = Expr(req)
    bn = batch_name_opt if batch_name_opt is not None else get("batch_name")
    if bn:
        ad["JobBatchName"] = bn
    if get("accounting_group"):
        ad["AcctGroup"] = get("accounting_group")
    for name in order:
        if name.lower().startswith("my."):
            ad[name[3:]] = parse_classad_value(expand(vars_[name.lower()], lookup))
    spec = {
        "executable": exe, "transfer_executable": transfer_exe, "argv": argv, "env": env,
        "output": ad["Out"], "error": ad["Err"], "log": ad.get("UserLog"), "inputs": tif,
        "proxy": ad.get("x509userproxy"), "iwd": iwd,
    }
    return {"where": "queue", "ad": ad, "spec": spec}


def job_lfn(rec):
    for p in rec["spec"]["inputs"]:
        if p.endswith(".json"):
            try:
                with open(p, encoding="utf-8") as f:
                    v = json.load(f)
                if isinstance(v, dict) and isinstance(v.get("lfn"), str):
                    return v["lfn"]
            except (OSError, ValueError):
                pass
    return None


def check_jobs(recs):
    for rec in recs:
        px = rec["spec"]["proxy"]
        if px and not os.path.isfile(px):
            raise SubmitError("\nERROR: Failed to read x509userproxy file %s\n" % px)
        lg = rec["spec"]["log"]
        if lg and not os.path.isdir(os.path.dirname(lg)):
            raise SubmitError('\nERROR: Invalid log file: "%s" (No such file or directory)\n' % lg)


def cmd_submit(argv):
    terse, path, batch_name = False, None, None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-terse", "-t"):
            terse = True
        elif a in ("-batch-name", "-batch_name") and i + 1 < len(argv):
            i += 1
            batch_name = argv[i]
        elif a.startswith("-") and a != "-":
            pass
        else:
            path = a
        i += 1
    if path is None:
        sys.stderr.write("condor_submit: no submit file given (the fake pool does not read stdin)\n")
        return 1
    sd = state_dir()
    cwd = os.getcwd()
    try:
        queued = build_jobs(path, cwd, batch_name)
        faults = load_faults(sd)
        schedd = str(faults.get("schedd", "up"))
        if schedd == "down":
            raise SubmitError("\nERROR: Can't find address of local schedd\n")
        if schedd == "unauthenticated":
            raise SubmitError("\nERROR: Failed to connect to local queue manager\n" + AUTH_STACK)
        submit = str(faults.get("submit", "ok"))
        if submit == "proxy-expired":
            raise SubmitError("ERROR: proxy has expired\n")
        if submit == "refuse":
            raise SubmitError("\nERROR: Failed to commit job submission into the queue.\nERROR: %s\n"
                              % faults.get("refuseReason", "Submit requirement MigdalFakePool evaluated to False"))
        with Lock(sd):
            qdate = int(time.time())
            recs = []
            cluster = None
            try:
                for n, (vars_, order, item) in enumerate(queued):
                    if cluster is None:
                        cluster = read_counter(sd, "next_cluster", FIRST_CLUSTER)
                    recs.append(make_job(cluster, n, vars_, order, item, cwd, batch_name, qdate))
                check_jobs(recs)
            except SubmitError:
                if cluster is not None:
                    write_atomic(os.path.join(sd, "next_cluster"), "%d\n" % cluster)
                raise
            for rec in recs:
                rec["lfn"] = job_lfn(rec)
                save_job(sd, rec)
                append_event(rec, 0, "Job submitted from host: " + SCHEDD_ADDR)
    except SubmitError as e:
        sys.stderr.write(str(e))
        return 1
    if not recs:
        return 0
    if terse:
        sys.stdout.write("%d.%d - %d.%d\n" % (cluster, 0, cluster, len(recs) - 1))
    else:
        sys.stdout.write("Submitting job(s)%s\n%d job(s) submitted to cluster %d.\n"
                         % ("." * len(recs), len(recs), cluster))
    sys.stdout.flush()
    start_runner(sd, cluster)
    return 0


def start_runner(sd, cluster):
    logf = open(os.path.join(sd, "runner-%d.log" % cluster), "ab")
    p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "runner", str(cluster)],
                         stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, close_fds=True,
                         start_new_session=True, env=dict(os.environ, MIGDAL_FAKE_CONDOR=sd))
    p.returncode = 0  # detached: never waited for here (the runner reparents to init)
    logf.close()


# --------------------------------------------------------------- runner ----

def find_fault(sd, rec, faults):
    lfn = rec.get("lfn")
    if lfn is None:
        return None
    hits_path = os.path.join(sd, "fault_hits.json")
    try:
        with open(hits_path) as f:
            hits = json.load(f)
    except (OSError, ValueError):
        hits = {}
    for idx, fl in enumerate(faults.get("faults") or []):
        if not isinstance(fl, dict) or str(fl.get("match", "")) not in lfn:
            continue
        key = "%d:%s:%s" % (idx, fl.get("kind"), fl.get("match"))
        if hits.get(key, 0) >= int(fl.get("times", 1)):
            continue
        hits[key] = hits.get(key, 0) + 1
        write_atomic(hits_path, json.dumps(hits))
        return fl
    return None


class Runner:
    def __init__(self, sd, cluster):
        self.sd, self.cluster = sd, cluster
        self.threads = []

    def ours(self, rec, token):
        return rec is not None and rec["where"] == "queue" and rec.get("token") == token \
            and rec["ad"]["JobStatus"] == 2

    def loop(self):
        while True:
            with Lock(self.sd):
                mine = [r for r in all_jobs(self.sd, self.cluster) if r["where"] == "queue"]
                self.threads = [t for t in self.threads if t.is_alive()]
                if not mine and not self.threads:
                    return
                faults = load_faults(self.sd)
                slots = int(faults.get("slots", 2))
                used = used_slots(self.sd)
                for rec in mine:
                    # a schedd that is down starts nothing new (running jobs go on and log)
                    if rec["ad"]["JobStatus"] != 1 or len(used) >= slots or faults.get("schedd") == "down":
                        continue
                    slot = min(s for s in range(1, slots + 2) if s not in used)
                    t = self.pick(rec, slot, load_faults(self.sd))
                    if t is not None:
                        used.add(slot)
                        t.start()
                        self.threads.append(t)
            time.sleep(0.1)

    def pick(self, rec, slot, faults):
        """Under the lock: apply a fault or start the job. Returns the thread to start, if any."""
        sd = self.sd
        fl = find_fault(sd, rec, faults) or {}
        kind = fl.get("kind")
        host = "slot1_%d@localhost" % slot
        now = int(time.time())
        ad = rec["ad"]
        if kind == "hold":
            reason = fl.get("reason") or ("Error from %s: Failed to transfer files (fake-condor hold fault)" % host)
            code, sub = int(fl.get("code", 13)), int(fl.get("subcode", 0))
            ad.update(JobStatus=5, EnteredCurrentStatus=now, HoldReason=reason, HoldReasonCode=code,
                      HoldReasonSubCode=sub)
            save_job(sd, rec)
            append_event(rec, 12, "Job was held.", ["\t" + reason, "\tCode %d Subcode %d" % (code, sub)])
            return None
        if kind == "abort":
            remove_job(sd, rec, fl.get("reason") or "via condor_rm (by user condor)")
            return None
        if kind == "vanish":
            rec["where"] = "vanished"
            save_job(sd, rec)
            return None
        n = read_counter(sd, "next_dir", 1)
        scratch = os.path.join(sd, "execute", "dir_%d" % n)
        os.makedirs(scratch)
        append_event(rec, 40, "Started transferring input files",
                     ["\tTransferring to host: " + STARTD_ADDR % slot])
        received = 0
        try:
            sp = rec["spec"]
            for src in sp["inputs"]:
                dst = os.path.join(scratch, os.path.basename(src.rstrip("/")))
                if os.path.isdir(src):
                    shutil.copytree(src, dst)
                else:
                    shutil.copyfile(src, dst)
                    received += os.path.getsize(dst)
            if sp["proxy"]:
                dst = os.path.join(scratch, os.path.basename(sp["proxy"]))
                shutil.copyfile(sp["proxy"], dst)
                os.chmod(dst, 0o600)
                received += os.path.getsize(dst)
            if sp["transfer_executable"]:
                dst = os.path.join(scratch, "condor_exec.exe")
                shutil.copyfile(sp["executable"], dst)
                os.chmod(dst, 0o755)
                received += os.path.getsize(dst)
        except OSError as e:
            shutil.rmtree(scratch, ignore_errors=True)
            reason = ("Transfer input files failure at execution point %s using protocol file. Details: %s"
                      % (host, e))
            ad.update(JobStatus=5, EnteredCurrentStatus=now, HoldReason=reason, HoldReasonCode=13,
                      HoldReasonSubCode=e.errno or 0)
            save_job(sd, rec)
            append_event(rec, 12, "Job was held.", ["\t" + reason, "\tCode 13 Subcode %d" % (e.errno or 0)])
            return None
        append_event(rec, 40, "Finished transferring input files")
        token = "%d-%d-%f" % (os.getpid(), n, time.time())
        ad.update(JobStatus=2, EnteredCurrentStatus=now, NumJobStarts=ad.get("NumJobStarts", 0) + 1,
                  NumShadowStarts=ad.get("NumShadowStarts", 0) + 1, JobCurrentStartDate=now,
                  RemoteHost=host)
        rec.update(token=token, scratch=scratch)
        claim_slot(sd, rec, slot)
        rec.pop("pid", None)
        save_job(sd, rec)
        append_event(rec, 1, "Job executing on host: " + STARTD_ADDR % slot, [
            "\tSlotName: " + host,
            '\tCondorScratchDir = "%s"' % scratch,
            "\tCpus = %d" % ad["RequestCpus"],
            "\tDisk = %d" % ad["RequestDisk"],
            "\tGPUs = 0",
            "\tMemory = %d" % ad["RequestMemory"],
        ])
        with open(os.path.join(scratch, ".job.ad"), "w", encoding="utf-8") as f:
            f.write(classad_long(ad))
        return threading.Thread(target=self.run_job, daemon=True,
                                args=(rec["ad"]["ClusterId"], rec["ad"]["ProcId"], token, scratch, kind, fl,
                                      received))

    def run_job(self, c, p, token, scratch, kind, fl, received):
        try:
            self._run_job(c, p, token, scratch, kind, fl, received)
        except Exception as e:  # keep the runner alive; the job stays as it is
            sys.stderr.write("fakecondor runner: job %d.%d: %r\n" % (c, p, e))
            sys.stderr.flush()

    def _run_job(self, c, p, token, scratch, kind, fl, received):
        sd = self.sd
        rec = load_job(sd, c, p)
        sp = rec["spec"]
        out_path = os.path.join(scratch, "_condor_stdout")
        err_path = os.path.join(scratch, "_condor_stderr")
        start = time.time()
        ru_utime = ru_stime = 0.0
        status = None
        if kind == "exit":
            open(out_path, "w").close()
            open(err_path, "w").close()
            status = ("exit", int(fl.get("code", 1)))
        else:
            env = dict(sp["env"])
            env.setdefault("HOME", scratch)
            env.setdefault("PATH", "/usr/bin:/bin")
            env["_CONDOR_SCRATCH_DIR"] = scratch
            env["_CONDOR_JOB_AD"] = os.path.join(scratch, ".job.ad")
            if sp["proxy"]:
                env["X509_USER_PROXY"] = os.path.join(scratch, os.path.basename(sp["proxy"]))
            exe = os.path.join(scratch, "condor_exec.exe") if sp["transfer_executable"] else sp["executable"]
            with open(out_path, "wb") as fo, open(err_path, "wb") as fe:
                try:
                    proc = subprocess.Popen([exe] + sp["argv"], cwd=scratch, env=env, stdin=subprocess.DEVNULL,
                                            stdout=fo, stderr=fe, close_fds=True, start_new_session=True)
                except OSError as e:
                    with Lock(sd):
                        rec = load_job(sd, c, p)
                        if self.ours(rec, token):
                            reason = ("Error from slot1_%d@localhost: Failed to execute '%s': (errno=%d) %s"
                                      % (rec.get("slot", 1), exe, e.errno or 0, e.strerror))
                            rec["ad"].update(JobStatus=5, EnteredCurrentStatus=int(time.time()),
                                             HoldReason=reason, HoldReasonCode=6, HoldReasonSubCode=e.errno or 0)
                            free_slot(sd, rec)
                            save_job(sd, rec)
                            append_event(rec, 12, "Job was held.",
                                         ["\t" + reason, "\tCode 6 Subcode %d" % (e.errno or 0)])
                    shutil.rmtree(scratch, ignore_errors=True)
                    return
            with Lock(sd):
                rec = load_job(sd, c, p)
                if self.ours(rec, token):
                    rec["pid"], rec["pstart"] = proc.pid, proc_start_time(proc.pid)
                    save_job(sd, rec)
                else:
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except OSError:
                        pass
            if kind in ("evict", "kill"):
                deadline = time.time() + float(fl.get("after", 0.3))
                while time.time() < deadline and proc.poll() is None:
                    time.sleep(0.02)
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
            _, wstatus, ru = os.wait4(proc.pid, 0) if proc.returncode is None else (0, None, None)
            if ru is not None:
                ru_utime, ru_stime = ru.ru_utime, ru.ru_stime
                proc.returncode = 0
                if os.WIFSIGNALED(wstatus):
                    status = ("signal", os.WTERMSIG(wstatus))
                else:
                    status = ("exit", os.WEXITSTATUS(wstatus))
            else:
                rc = proc.returncode
                status = ("signal", -rc) if rc < 0 else ("exit", rc)
            if kind == "kill":
                status = ("signal", signal.SIGKILL)
        elapsed = time.time() - start
        with Lock(sd):
            rec = load_job(sd, c, p)
            if not self.ours(rec, token):
                shutil.rmtree(scratch, ignore_errors=True)
                return
            ad = rec["ad"]
            if kind == "evict":
                reason = fl.get("reason") or "Job vacated by schedd"
                header = "Job was evicted."
                if "code" in fl:
                    header += " Code %d Subcode %d" % (int(fl["code"]), int(fl.get("subcode", 0)))
                append_event(rec, 4, header, [
                    "\t(0) CPU times",
                    usage_line(ru_utime, ru_stime, "Run Remote"),
                    usage_line(0, 0, "Run Local"),
                    "\t0  -  Run Bytes Sent By Job",
                    "\t%.0f  -  Run Bytes Received By Job" % received,
                    "\tReason: " + reason,
                ])
                ad.update(JobStatus=1, EnteredCurrentStatus=int(time.time()), LastVacateTime=int(time.time()))
                for k in ("RemoteHost", "JobCurrentStartDate"):
                    ad.pop(k, None)
                for k in ("pid", "pstart", "token", "scratch"):
                    rec.pop(k, None)
                free_slot(sd, rec)
                save_job(sd, rec)
                shutil.rmtree(scratch, ignore_errors=True)
                return
            sent = 0
            for src, dst in ((out_path, sp["output"]), (err_path, sp["error"])):
                if dst and dst != "/dev/null" and os.path.exists(src):
                    try:
                        shutil.copyfile(src, dst)
                    except OSError as e:
                        reason = ("Transfer output files failure at access point localhost while receiving files "
                                  "from the execution point slot1_%d@localhost. Details: writing to file %s: "
                                  "(errno %d) %s" % (rec.get("slot", 1), dst, e.errno or 0, e.strerror))
                        ad.update(JobStatus=5, EnteredCurrentStatus=int(time.time()), HoldReason=reason,
                                  HoldReasonCode=12, HoldReasonSubCode=e.errno or 0)
                        for k in ("pid", "pstart", "token", "scratch"):
                            rec.pop(k, None)
                        free_slot(sd, rec)
                        save_job(sd, rec)
                        append_event(rec, 12, "Job was held.",
                                     ["\t" + reason, "\tCode 12 Subcode %d" % (e.errno or 0)])
                        shutil.rmtree(scratch, ignore_errors=True)
                        return
                    sent += os.path.getsize(src)
            if status[0] == "exit":
                first = ["\t(1) Normal termination (return value %d)" % status[1]]
            else:
                first = ["\t(0) Abnormal termination (signal %d)" % status[1], "\t(0) No core file"]
            disk_used = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(scratch)
                            for fn in fns if os.path.isfile(os.path.join(dp, fn))) // 1024 + 1
            row = "\t   %-20s : %8s %8s %9s "
            append_event(rec, 5, "Job terminated.", first + [
                usage_line(ru_utime, ru_stime, "Run Remote"),
                usage_line(0, 0, "Run Local"),
                usage_line(ru_utime, ru_stime, "Total Remote"),
                usage_line(0, 0, "Total Local"),
                "\t%.0f  -  Run Bytes Sent By Job" % sent,
                "\t%.0f  -  Run Bytes Received By Job" % received,
                "\t%.0f  -  Total Bytes Sent By Job" % sent,
                "\t%.0f  -  Total Bytes Received By Job" % received,
                "\tPartitionable Resources : %8s %8s %9s " % ("Usage", "Request", "Allocated"),
                row % ("Cpus", "%.2f" % ((ru_utime + ru_stime) / elapsed if elapsed > 0 else 0),
                       ad["RequestCpus"], ad["RequestCpus"]),
                row % ("Disk (KB)", disk_used, ad["RequestDisk"], ad["RequestDisk"]),
                row % ("Memory (MB)", 0, ad["RequestMemory"], ad["RequestMemory"]),
                row % ("TimeExecute (s)", int(elapsed), "", ""),
            ])
            now = int(time.time())
            attrs = {"CompletionDate": now, "NumJobCompletions": ad.get("NumJobCompletions", 0) + 1,
                     "RemoteWallClockTime": float(int(elapsed))}
            for k in ("ExitCode", "ExitSignal", "RemoteHost"):
                ad.pop(k, None)
            if status[0] == "exit":
                attrs.update(ExitBySignal=False, ExitCode=status[1])
            else:
                attrs.update(ExitBySignal=True, ExitSignal=status[1])
            for k in ("token", "scratch"):
                rec.pop(k, None)
            to_history(sd, rec, 4, **attrs)
            if status[0] == "exit":
                record_leftovers(sd, rec, scratch)
        shutil.rmtree(scratch, ignore_errors=True)


def record_leftovers(sd, rec, scratch):
    sp = rec["spec"]
    skip = set(NOT_LEFTOVERS)
    skip.update(os.path.basename(x.rstrip("/")) for x in sp["inputs"])
    if sp["proxy"]:
        skip.add(os.path.basename(sp["proxy"]))
    found = []
    for dp, dns, fns in os.walk(scratch):
        rel_dir = os.path.relpath(dp, scratch)
        if rel_dir == ".":
            dns[:] = [d for d in dns if d not in skip]
            fns = [f for f in fns if f not in skip]
        for fn in fns:
            found.append(os.path.normpath(os.path.join(rel_dir, fn)))
        if rel_dir != "." and not dns and not fns:
            found.append(rel_dir + "/")
    if found:
        with open(os.path.join(sd, "leftovers.txt"), "a", encoding="utf-8") as f:
            for rel in sorted(found):
                f.write("%d.%d\t%s\n" % (rec["ad"]["ClusterId"], rec["ad"]["ProcId"], rel))


def classad_long(ad):
    return "".join("%s = %s\n" % (k, classad_literal(v)) for k, v in sorted(ad.items(), key=lambda kv: kv[0].lower()))


def classad_literal(v):
    if isinstance(v, Expr):
        return v.text
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "undefined"
    if isinstance(v, (int, float)):
        return repr(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def cmd_runner(argv):
    sd = state_dir()
    cluster = int(argv[0])
    pidfile = os.path.join(sd, "runners", "%d.pid" % cluster)
    write_atomic(pidfile, "%d\n" % os.getpid())
    try:
        Runner(sd, cluster).loop()
    finally:
        try:
            os.unlink(pidfile)
        except OSError:
            pass
    return 0


def _children(ppid):
    kids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:
                        kids.append(int(name))
            except (OSError, ValueError, IndexError):
                pass
    return kids


def cmd_shutdown(argv):
    """Stops every runner (SIGSTOP first so it starts nothing new), kills their job processes, then them."""
    sd = state_dir()
    rdir = os.path.join(sd, "runners")
    runners = []
    for name in os.listdir(rdir):
        try:
            with open(os.path.join(rdir, name)) as f:
                pid = int(f.read().strip())
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                if b"fakecondor.py" not in f.read():
                    continue
            os.kill(pid, signal.SIGSTOP)
            runners.append(pid)
        except (OSError, ValueError):
            pass
    for pid in runners:
        for kid in _children(pid):
            for kill in (lambda: os.killpg(kid, signal.SIGKILL), lambda: os.kill(kid, signal.SIGKILL)):
                try:
                    kill()
                except OSError:
                    pass
        try:
            os.kill(pid, signal.SIGKILL)
            os.kill(pid, signal.SIGCONT)
        except OSError:
            pass
    for rec in all_jobs(sd):
        kill_job_process(rec)
    for name in os.listdir(rdir):
        try:
            os.unlink(os.path.join(rdir, name))
        except OSError:
            pass
    return 0


# ------------------------------------------------------ queries / output ----

def parse_constraint(expr):
    """Conjunction of  Attr =?= "str" | Attr == int | Attr =?= int | Attr =?= true|false, in optional parens.
    Returns a predicate, or None when not supported (reported as a parse error)."""
    s = expr.strip()
    while s.startswith("(") and s.endswith(")") and _balanced(s[1:-1]):
        s = s[1:-1].strip()
    terms = []
    for part in _split_and(s):
        t = part.strip()
        while t.startswith("(") and t.endswith(")") and _balanced(t[1:-1]):
            t = t[1:-1].strip()
        m = re.fullmatch(r'([A-Za-z_][A-Za-z0-9_]*)\s*(=\?=|==|=!=|!=)\s*("(?:[^"\\]|\\.)*"|[+-]?\d+|true|false)',
                         t, re.I)
        if not m:
            return None
        terms.append((m.group(1), m.group(2), parse_classad_value(m.group(3))))
    if not terms:
        return None

    def pred(ad):
        lower = {k.lower(): v for k, v in ad.items()}
        for name, op, val in terms:
            have = name.lower() in lower
            v = lower.get(name.lower())
            if op in ("=?=", "=!="):
                eq = have and type(v) is type(val) and v == val
                if (op == "=?=") != eq:
                    return False
            else:
                if not have:
                    return False
                if isinstance(val, str) and isinstance(v, str):
                    eq = v.lower() == val.lower()
                else:
                    eq = v == val and not (isinstance(v, str) or isinstance(val, str))
                if (op == "==") != eq:
                    return False
        return True
    return pred


def _balanced(s):
    depth, inq = 0, False
    for i, ch in enumerate(s):
        if ch == '"' and (i == 0 or s[i - 1] != "\\"):
            inq = not inq
        elif not inq and ch == "(":
            depth += 1
        elif not inq and ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _split_and(s):
    parts, cur, inq, i = [], [], False, 0
    while i < len(s):
        ch = s[i]
        if ch == '"' and (i == 0 or s[i - 1] != "\\"):
            inq = not inq
        if not inq and s.startswith("&&", i):
            parts.append("".join(cur))
            cur = []
            i += 2
            continue
        cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def json_value(v):
    if isinstance(v, Expr):
        return '"\\/Expr(%s)\\/"' % json.dumps(v.text, ensure_ascii=False)[1:-1]
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    return json.dumps(v, ensure_ascii=False)


def render_json(ads, attrs, server_time):
    chunks = []
    for ad in ads:
        if attrs is None:
            ad = dict(ad, ServerTime=server_time)
            keys = list(ad)
        else:
            lower = {k.lower(): k for k in ad}
            keys = [lower[a.lower()] for a in attrs if a.lower() in lower]
            keys = list(dict.fromkeys(keys))
        keys.sort(key=str.lower)
        chunks.append("{\n" + ",\n".join('  "%s": %s' % (k, json_value(ad[k])) for k in keys) + "\n}\n")
    return ",\n".join(chunks)


def render_af(ads, attrs, flags):
    lines = []
    for ad in ads:
        lower = {k.lower(): v for k, v in ad.items()}
        vals = []
        for a in attrs:
            if a.lower() not in lower:
                vals.append("undefined")
                continue
            v = lower[a.lower()]
            if isinstance(v, str) and "V" not in flags:
                vals.append(v)
            else:
                vals.append(classad_literal(v))
        if "j" in flags:
            vals.insert(0, "%d.%d" % (ad["ClusterId"], ad["ProcId"]))
        lines.append(" ".join(vals) + "\n")
    return "".join(lines)


def parse_query_args(argv, tool):
    o = {"ids": [], "constraints": [], "json": False, "attrs": None, "af": None, "afflags": "", "limit": None,
         "since": None}
    i = 0
    while i < len(argv):
        a = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if a in ("-constraint", "-const") and nxt is not None:
            o["constraints"].append(nxt)
            i += 2
        elif a == "-json":
            o["json"] = True
            i += 1
        elif a in ("-attributes", "-attrs", "-attr") and nxt is not None:
            o["attrs"] = [x.strip() for x in nxt.split(",") if x.strip()]
            i += 2
        elif a in ("-limit", "-match") and nxt is not None:
            o["limit"] = int(nxt)
            i += 2
        elif a == "-completedsince" and nxt is not None:
            o["since"] = int(nxt)
            i += 2
        elif re.fullmatch(r"-af(:[A-Za-z,]*)?|-autoformat(:[A-Za-z,]*)?", a):
            o["afflags"] = a.split(":", 1)[1] if ":" in a else ""
            o["af"] = []
            i += 1
            while i < len(argv) and not argv[i].startswith("-"):
                o["af"].append(argv[i])
                i += 1
        elif re.fullmatch(r"\d+(\.\d+)?", a):
            o["ids"].append(a)
            i += 1
        elif a.startswith("-"):
            i += 1
        else:
            o["ids"].append(a)  # an owner name: ignored (all jobs are the caller's)
            i += 1
    return o


def select(recs, o):
    preds = []
    for c in o["constraints"]:
        p = parse_constraint(c)
        if p is None:
            return None, c
        preds.append(p)
    ids = [x for x in o["ids"] if re.fullmatch(r"\d+(\.\d+)?", x)]
    out = []
    for r in recs:
        ad = r["ad"]
        if ids and not any(x == str(ad["ClusterId"]) or x == "%d.%d" % (ad["ClusterId"], ad["ProcId"]) for x in ids):
            continue
        if all(p(ad) for p in preds):
            out.append(r)
    return out, None


def schedd_fail_query(sd):
    st = schedd_state(sd)
    if st == "down":
        sys.stderr.write(Q_NOT_LOCATED)
        return True
    if st == "unauthenticated":
        sys.stderr.write("\n-- Failed to fetch ads from: %s : localhost\n%s" % (SCHEDD_ADDR, AUTH_STACK))
        return True
    return False


def cmd_q(argv):
    sd = state_dir()
    o = parse_query_args(argv, "condor_q")
    if schedd_fail_query(sd):
        return 1
    with Lock(sd):
        recs = [r for r in all_jobs(sd) if r["where"] == "queue"]
    sel, bad = select(recs, o)
    if sel is None:
        sys.stderr.write('\n-- Parse error in constraint expression "%s"\n' % bad)
        return 1
    if o["limit"] is not None:
        sel = sel[:o["limit"]]
    ads = [r["ad"] for r in sel]
    if o["af"] is not None:
        sys.stdout.write(render_af(ads, o["af"], o["afflags"]))
    elif o["json"]:
        if ads:
            sys.stdout.write("[\n" + render_json(ads, o["attrs"], int(time.time())) + "]\n")
    else:
        letters = {1: "I", 2: "R", 3: "X", 4: "C", 5: "H", 6: ">", 7: "S"}
        for ad in ads:
            sys.stdout.write("%d.%d %s\n" % (ad["ClusterId"], ad["ProcId"], letters.get(ad["JobStatus"], "?")))
    return 0


def cmd_history(argv):
    sd = state_dir()
    o = parse_query_args(argv, "condor_history")
    if schedd_fail_query(sd):
        return 1
    with Lock(sd):
        recs = [r for r in all_jobs(sd) if r["where"] == "history"]
    recs.sort(key=lambda r: -r.get("hist_seq", 0))
    sel, bad = select(recs, o)
    if sel is None:
        sys.stderr.write('\n-- Parse error in constraint expression "%s"\n' % bad)
        return 1
    if o["since"] is not None:
        kept = []
        for r in sel:
            cd = r["ad"].get("CompletionDate")
            if isinstance(cd, int) and cd <= o["since"]:
                break
            kept.append(r)
        sel = kept
    if o["limit"] is not None:
        sel = sel[:o["limit"]]
    ads = [r["ad"] for r in sel]
    if o["af"] is not None:
        sys.stdout.write(render_af(ads, o["af"], o["afflags"]))
    else:
        sys.stdout.write("[\n" + render_json(ads, o["attrs"], int(time.time())) + "]\n")
    return 0


# ----------------------------------------------------------- rm / release ----

def cmd_act(argv, tool):
    sd = state_dir()
    reason, constraints, ids, all_ = None, [], [], False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "-reason" and i + 1 < len(argv):
            reason = argv[i + 1]
            i += 2
        elif a in ("-constraint", "-const") and i + 1 < len(argv):
            constraints.append(argv[i + 1])
            i += 2
        elif a == "-all":
            all_ = True
            i += 1
        elif a.startswith("-"):
            i += 1
        else:
            ids.append(a)
            i += 1
    st = schedd_state(sd)
    if st == "down":
        sys.stderr.write("%s: Can't find address for local schedd\n" % tool)
        return 1
    if st == "unauthenticated":
        sys.stderr.write("ERROR: Failed to connect to local queue manager\n" + AUTH_STACK)
        return 1
    remove = tool == "condor_rm"
    verb = "remove" if remove else "release"
    done_text = "have been marked for removal" if remove else "have been released"
    user = username()
    why = reason if reason is not None else "via %s (by user %s)" % (tool, user)
    rc = 0
    out, err = [], []
    with Lock(sd):
        queue = [r for r in all_jobs(sd) if r["where"] == "queue"]

        def act(rec):
            """-> None on success, else the per-job error text."""
            jid = "%d.%d" % (rec["ad"]["ClusterId"], rec["ad"]["ProcId"])
            if remove:
                remove_job(sd, rec, why)
                return None
            if rec["ad"]["JobStatus"] != 5:
                return "Job %s not held to be released" % jid
            ad = rec["ad"]
            for k in ("HoldReason", "HoldReasonCode", "HoldReasonSubCode"):
                ad.pop(k, None)
            ad.update(JobStatus=1, EnteredCurrentStatus=int(time.time()), ReleaseReason=why)
            save_job(sd, rec)
            append_event(rec, 13, "Job was released.", ["\t" + why])
            return None

        groups = []
        for c in constraints:
            p = parse_constraint(c)
            if p is None:
                sys.stderr.write('\n-- Parse error in constraint expression "%s"\n' % c)
                return 1
            groups.append(("constraint (%s)" % c, [r for r in queue if p(r["ad"])]))
        if all_:
            groups.append(("all", list(queue)))
        for x in ids:
            m = re.fullmatch(r"(\d+)\.(\d+)", x)
            if m:
                rec = next((r for r in queue if r["ad"]["ClusterId"] == int(m.group(1))
                            and r["ad"]["ProcId"] == int(m.group(2))), None)
                if rec is None:
                    err.append("Job %s not found" % x)
                    rc = 1
                    continue
                e = act(rec)
                if e:
                    err.append(e)
                    rc = 1
                else:
                    out.append("Job %s %s" % (x, "marked for removal" if remove else "released"))
            elif re.fullmatch(r"\d+", x):
                groups.append(("cluster %s" % x, [r for r in queue if r["ad"]["ClusterId"] == int(x)]))
            else:
                groups.append(("user %s" % x, list(queue) if x == user else []))
        for label, recs in groups:
            ok = [r for r in recs if act(r) is None] if recs else []
            if label == "all":
                where = ""
            elif label.startswith("constraint"):
                where = " matching " + label
            else:
                where = " in " + label
            if recs and len(ok) == len(recs):
                out.append("All jobs%s %s" % (where, done_text))
            elif not queue:
                err.append("%s:0:There are no jobs in the queue" % tool)
            else:
                err.append("Couldn't find/%s all jobs%s" % (verb, where))
                rc = 1
    for line in out:
        sys.stdout.write(line + "\n")
    for line in err:
        sys.stderr.write(line + "\n")
    return rc


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: fakecondor.py submit|q|history|rm|release|runner|shutdown ARGS...\n")
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "submit":
        return cmd_submit(args)
    if cmd == "q":
        return cmd_q(args)
    if cmd == "history":
        return cmd_history(args)
    if cmd == "rm":
        return cmd_act(args, "condor_rm")
    if cmd == "release":
        return cmd_act(args, "condor_release")
    if cmd == "runner":
        return cmd_runner(args)
    if cmd == "shutdown":
        return cmd_shutdown(args)
    sys.stderr.write("fakecondor.py: unknown command %s\n" % cmd)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
