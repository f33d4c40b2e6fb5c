"""Settings come from the environment; production mode passes Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys


def run_pagetojob(args, env_overrides, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGETOJOB_") and k != "DATABASE_URL"}
    env.update(PAGETOJOB_DATA_DIR=str(tmp_path), **env_overrides)
    return subprocess.run([sys.executable, "-m", "pagetojob", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_production_mode_passes_check_deploy(tmp_path):
    result = run_pagetojob(["check", "--deploy", "--fail-level", "WARNING"], {
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
        "PAGETOJOB_SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-value-0123456789",
        "PAGETOJOB_ENCRYPTION_KEYS": "k1:ZmFrZS1rZXktZm9yLWNoZWNr",
        "PAGETOJOB_ALLOWED_HOSTS": "app.example.com",
    }, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_mode_generates_and_keeps_its_keys(tmp_path):
    first = run_pagetojob(["check"], {}, tmp_path)
    assert first.returncode == 0, first.stderr
    secret = (tmp_path / "secret_key").read_text()
    keys = (tmp_path / "encryption_keys").read_text()
    assert len(secret) > 40 and keys.startswith("k1:")
    assert secret not in keys
    run_pagetojob(["check"], {}, tmp_path)
    assert (tmp_path / "secret_key").read_text() == secret  # kept, not regenerated


def test_a_database_url_that_is_not_postgresql_is_refused_with_a_clear_message(tmp_path):
    result = run_pagetojob(["check"], {"DATABASE_URL": "mysql://root@127.0.0.1/test"}, tmp_path)
    assert result.returncode != 0
    assert "DATABASE_URL must be a PostgreSQL URL" in result.stderr
