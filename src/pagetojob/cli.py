"""`pagetojob`: demo, serve, worker, and every Django management command."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import webbrowser


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagetojob.settings")
    import django

    django.setup()


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


WEB_SWITCH_INTERVAL = 0.0002


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="pagetojob serve", description="Run the PageToJob web app (gunicorn).")
    parser.add_argument("--host", default=os.environ.get("PAGETOJOB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PAGETOJOB_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("PAGETOJOB_WEB_WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("PAGETOJOB_WEB_THREADS", "4")))
    args = parser.parse_args(argv)
    _setup_django()
    # Web threads hand the interpreter to each other every 0.2 ms instead of every 5 ms: a thread that holds
    # the database write lock and comes back from SQLite gets to run again almost at once, rather than
    # waiting out another thread's time slice while every other writer waits for it.
    sys.setswitchinterval(WEB_SWITCH_INTERVAL)
    from gunicorn.app.base import BaseApplication

    from pagetojob.wsgi import application

    class WebServer(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("threads", args.threads)
            self.cfg.set("worker_class", "gthread")
            access_log = os.environ.get("PAGETOJOB_ACCESS_LOG", "-")
            self.cfg.set("accesslog", access_log or None)
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 5)
            self.cfg.set("control_socket_disable", True)  # several instances may run on one machine

        def load(self):
            return application

    WebServer().run()
    return 0


def _wait_healthy(url: str, timeout: float, procs: list[subprocess.Popen]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(proc.poll() is not None for proc in procs):
            return False
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    return False


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="pagetojob demo",
        description="Load the Desert Peak Heating & Air demo and run the web app and the worker on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=None, help="Web port (default: 8000, or the next free one).")
    parser.add_argument("--no-browser", action="store_true", help="Do not open a browser.")
    parser.add_argument("--reset", action="store_true", help="Delete the demo data and load it again.")
    parser.add_argument("--sandbox-connected", action="store_true",
                        help="Connect Desert Peak to the local ServiceTitan sandbox, with every gate recorded for that "
                             "sandbox connection, so requests are handed off end to end.")
    parser.add_argument("--sandbox-port", type=int, default=None,
                        help="Port of the local ServiceTitan sandbox (default: 8765, or the next free one).")
    args = parser.parse_args(argv)

    port = args.port
    if port is None:
        port = next((p for p in range(8000, 8050) if _port_free(p)), 8000)
    elif not _port_free(port):
        print(f"Port {port} is already in use on 127.0.0.1: stop what is using it or pass another --port.",
              file=sys.stderr)
        return 2
    base_url = f"http://127.0.0.1:{port}"
    os.environ.setdefault("PAGETOJOB_BASE_URL", base_url)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from pagetojob.demo.loader import load_demo

    print(f"PageToJob demo — data in {settings.DATA_DIR}")
    call_command("migrate", interactive=False, verbosity=0)
    result = load_demo(reset=args.reset)
    print("Loaded the Desert Peak Heating & Air demo." if result.get("created")
          else "Reusing the demo data already in the data directory (use --reset to start over).")

    sandbox_port = args.sandbox_port or next((p for p in range(8765, 8800) if _port_free(p)), 8765)
    if not _port_free(sandbox_port):
        print(f"Port {sandbox_port} is already in use on 127.0.0.1: pass another --sandbox-port.", file=sys.stderr)
        return 2
    sandbox = _demo_sandbox(settings.DATA_DIR, sandbox_port)
    if args.sandbox_connected:
        try:
            _connect_demo_to_sandbox(sandbox)
        except Exception as error:  # the demo still runs; the connection screen shows what went wrong
            print(f"Could not connect Desert Peak to the sandbox: {error}", file=sys.stderr)
    env = dict(os.environ, PAGETOJOB_DATA_DIR=str(settings.DATA_DIR), PAGETOJOB_BASE_URL=base_url,
               PAGETOJOB_ACCESS_LOG=os.environ.get("PAGETOJOB_ACCESS_LOG", ""),
               PAGETOJOB_SANDBOX_URL=os.environ.get("PAGETOJOB_SANDBOX_URL") or sandbox.url,
               PAGETOJOB_ENCRYPTION_KEYS=settings.ENCRYPTION_KEYS)
    procs = [
        subprocess.Popen([sys.executable, "-m", "pagetojob", "serve", "--port", str(port)], env=env),
        subprocess.Popen([sys.executable, "-m", "pagetojob", "worker"], env=env),
    ]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        if not _wait_healthy(base_url, 60, procs):
            print("The web app or the worker did not become healthy; see the messages above.", file=sys.stderr)
            return 1
        if args.sandbox_connected:
            _validate_demo_webhooks(base_url)
        print()
        print(f"  PageToJob is running at {base_url}/")
        print(f"  Sign in as {result['login']['email']} / {result['login']['password']}")
        client = sandbox.client_for(sandbox.config.tenant_id)
        secret_file = settings.DATA_DIR / "sandbox_client"
        print(f"  ServiceTitan sandbox (not a real tenant) at {sandbox.url}: tenant {client.tenant_id}, app key "
              f"{sandbox.app_key}, client id {client.client_id}, client secret in {secret_file}")
        if args.sandbox_connected:
            print("  Desert Peak is connected to the sandbox: new requests are handed off by the worker "
                  "(Sync queue).")
        print("  Web app and worker are running as separate processes. Press Ctrl-C to stop.")
        print(flush=True)
        if not args.no_browser:
            webbrowser.open(f"{base_url}/")
        while not stopping:
            if any(proc.poll() is not None for proc in procs):
                print("A PageToJob process stopped unexpectedly; shutting down.", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        sandbox.stop()
        print("Stopped the web app, the worker and the sandbox.")


def _demo_sandbox(data_dir, port: int):
    """The demo's ServiceTitan sandbox, in this process; its client secret is kept in the data directory so a
    workspace connected in an earlier run still authenticates after a restart (the sandbox's records do not)."""
    import secrets

    from pagetojob.sandbox.seeds import DEMO_CLIENT_ID, DEMO_TENANT_ID
    from pagetojob.sandbox.server import ClientCredentials, SandboxConfig, SandboxServer

    secret_file = data_dir / "sandbox_client"
    if not secret_file.exists():
        secret_file.write_text(f"ak1.demo{secrets.token_hex(8)}\n{secrets.token_urlsafe(24)}\n")
        secret_file.chmod(0o600)
    app_key, client_secret = secret_file.read_text().split()[:2]
    # The sandbox keeps its records in memory; each start gives out new ids so none repeats an earlier run's.
    starts_file = data_dir / "sandbox_starts"
    starts = int(starts_file.read_text() or "0") if starts_file.exists() else 0
    starts_file.write_text(str(starts + 1))
    config = SandboxConfig(seed="demo", clients=[ClientCredentials(DEMO_TENANT_ID, DEMO_CLIENT_ID, client_secret)],
                           app_key=app_key, id_offset=starts * 10_000)
    return SandboxServer("127.0.0.1", port, config).start()


def _validate_demo_webhooks(base_url: str) -> None:
    """With the web app and worker up, prove Desert Peak's webhook receiver with the sandbox's signed events
    (once: a workspace that already has a key keeps it and its evidence)."""
    import secrets

    from pagetojob.accounts.models import Workspace
    from pagetojob.demo import data
    from pagetojob.readiness import changes
    from pagetojob.webhooks import endpoints
    from pagetojob.webhooks.models import WebhookEndpoint

    workspace = Workspace.objects.get(key=data.PRIMARY_WORKSPACE_KEY)
    if WebhookEndpoint.objects.filter(workspace=workspace).exclude(secret_current="").exists():
        return
    try:
        endpoints.save_settings(workspace, None, signature_header="X-ServiceTitan-Signature", encoding="hex",
                                timestamp_header="", signed_content="body", tolerance_seconds=300,
                                new_key=secrets.token_urlsafe(32))
        run = changes.validate_webhooks(workspace, None, base_url)
    except Exception as error:  # the demo runs on; the readiness page offers the validation again
        print(f"Could not validate the webhook receiver with the sandbox: {error}", file=sys.stderr)
        return
    if not run.passed:
        print("The webhook validation with the sandbox did not pass; see Connection readiness.", file=sys.stderr)


def _connect_demo_to_sandbox(sandbox) -> None:
    from pagetojob.accounts.models import Workspace
    from pagetojob.demo import data
    from pagetojob.readiness.sandbox import connect_workspace_to_sandbox

    workspace = Workspace.objects.get(key=data.PRIMARY_WORKSPACE_KEY)
    client = sandbox.client_for(sandbox.config.tenant_id)
    owner = workspace.memberships.filter(role="owner").select_related("user").first()
    connect_workspace_to_sandbox(workspace, owner.user if owner else None, base_url=sandbox.url,
                                 tenant_id=client.tenant_id, app_key=sandbox.app_key, client_id=client.client_id,
                                 client_secret=client.client_secret)


def sandbox(argv: list[str]) -> int:
    from pagetojob.sandbox.cli import main as run_sandbox

    return run_sandbox(argv)


COMMANDS = {"demo": demo, "serve": serve, "sandbox": sandbox}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        sys.exit(COMMANDS[argv[0]](argv[1:]))
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: pagetojob {demo,serve,worker,<django command>} ...\n\n"
              "  demo     load the Desert Peak demo and run the web app and worker on 127.0.0.1\n"
              "  serve    run the web app\n"
              "  worker   run the durable worker\n"
              "  sandbox  run a local ServiceTitan sandbox (tokens, API shapes, per-tenant state, faults)\n"
              "  import   taxonomy | apply | sitemap | pages-csv: bring in ServiceTitan exports and site pages\n"
              "  drift    run --workspace KEY [--json]: review the site against ServiceTitan's data now\n"
              "  rotate-keys  re-encrypt stored ServiceTitan credentials under the newest encryption key\n"
              "  rotate-webhook-keys  the same for the stored webhook HMAC keys\n"
              "  migrate, createsuperuser, check --deploy ... any Django management command")
        sys.exit(0)
    if argv[0] == "rotate-keys":
        argv[0] = "rotate_keys"
    if argv[0] == "rotate-webhook-keys":
        argv[0] = "rotate_webhook_keys"
    if argv[0] == "import":
        # `pagetojob import taxonomy|apply|sitemap|pages-csv ...` are the import_* management commands.
        if len(argv) < 2 or argv[1].startswith("-"):
            print("usage: pagetojob import {taxonomy,apply,sitemap,pages-csv} ...", file=sys.stderr)
            sys.exit(2)
        argv = [f"import_{argv[1].replace('-', '_')}", *argv[2:]]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagetojob.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pagetojob", *argv])
