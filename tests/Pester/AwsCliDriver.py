# Runs awscli commands for the Pester tests in one long-lived process: awscli's own driver, so parsing,
# signing, retries and output are the installed awscli's, without its ~1 s start (several seconds on a
# loaded machine) per command. One JSON request per stdin line: {"args": [...], "env": {...}}; one JSON
# answer per stdout line: {"rc": N, "out": "...", "err": "..."}. Every command gets a fresh botocore
# session built from exactly the AWS_* environment the caller sent, as a new `aws` process would.
import contextlib
import io
import json
import os
import sys

from awscli.clidriver import create_clidriver

# Service models are read-only data: one loader for every session saves re-reading them per command.
_shared_loader = None
# awscli points AWS_DATA_PATH at its own data when imported; that is awscli's, not the caller's environment.
_awscli_environment = {n: v for n, v in os.environ.items() if n == 'AWS_DATA_PATH'}


def run(args, env):
    global _shared_loader
    for name in [n for n in os.environ if n.startswith('AWS_')]:
        del os.environ[name]
    os.environ.update(env)
    os.environ.update(_awscli_environment)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            driver = create_clidriver()
            if _shared_loader is None:
                _shared_loader = driver.session.get_component('data_loader')
            else:
                driver.session.register_component('data_loader', _shared_loader)
            rc = driver.main(args)
        except SystemExit as e:  # argparse usage errors exit, as they would end the aws process
            rc = e.code if isinstance(e.code, int) else 1
        except Exception as e:  # anything else is a failed command, not a dead driver
            print(f'awscli driver: {e!r}', file=sys.stderr)
            rc = 255
    return {'rc': rc, 'out': out.getvalue(), 'err': err.getvalue()}


def main():
    sys.argv[0] = 'aws'  # usage messages name the command as the aws process would
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        answer = run(request['args'], request.get('env', {}))
        sys.__stdout__.write(json.dumps(answer) + '\n')
        sys.__stdout__.flush()


if __name__ == '__main__':
    main()
