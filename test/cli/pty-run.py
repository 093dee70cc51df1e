"""Runs a command in a pseudo-terminal, as a person at a terminal would, for the
CLI's signal tests (node-pty is not needed).

Usage: python3 pty-run.py SPEC_JSON
SPEC: {"argv": [...], "env": {...}, "timeout": seconds,
       "steps": [{"waitFor": REGEX, "send": TEXT} | {"waitFor": REGEX, "signal": "SIGTERM"}]}
A step may also name a file to create once REGEX matches ("mark") and a pause
in seconds before it acts ("delay"), for a test that changes something then.
Each step waits until the terminal output so far matches REGEX (searched in
what was printed after the previous step's match), then types TEXT into the
terminal ("\u0003" is ^C: the terminal turns it into SIGINT, or readline reads
it) or sends the signal to the process.
Prints one JSON object: {"status": exit status or null, "signal": the signal
that killed it or null, "output": everything printed on the terminal,
"timedOut": whether the timeout killed it, "steps": how many steps were done}.
"""
import json
import os
import pty
import re
import select
import signal
import sys
import time


def main():
    spec = json.loads(sys.argv[1])
    env = dict(os.environ)
    env.update(spec.get("env", {}))
    deadline = time.monotonic() + spec.get("timeout", 30)
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(spec["argv"][0], spec["argv"], env)
    output = b""
    searched = 0
    steps = spec.get("steps", [])
    done_steps = 0
    status = None
    timed_out = False
    while True:
        if time.monotonic() > deadline:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            output += chunk
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            # Drain what is left on the terminal.
            while True:
                ready, _, _ = select.select([fd], [], [], 0.1)
                if not ready:
                    break
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
            break
        if done_steps < len(steps):
            step = steps[done_steps]
            text = output.decode("utf-8", "replace")
            match = re.search(step["waitFor"], text[searched:])
            if match:
                searched += match.end()
                if "mark" in step:
                    open(step["mark"], "w").close()
                if "delay" in step:
                    time.sleep(step["delay"])
                if "send" in step:
                    os.write(fd, step["send"].encode())
                if "signal" in step:
                    os.kill(pid, getattr(signal, step["signal"]))
                done_steps += 1
    result = {
        "status": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "output": output.decode("utf-8", "replace"),
        "timedOut": timed_out,
        "steps": done_steps,
    }
    print(json.dumps(result))


main()
