"""The readiness tests share the titan tests' real sandbox server."""

from tests.titan.conftest import sandbox, sandbox_server  # noqa: F401 - fixtures used by the API import tests
