"""Record every outgoing connection that is not to loopback, and refuse it.

Imported first in a subprocess by the no-network tests: a library that tries to
phone home (telemetry, a model hub) shows up in the record instead of hanging.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket

ATTEMPTS: list[str] = []
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(host) -> bool:
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(address) -> None:
    if isinstance(address, tuple) and address and not _is_loopback(address[0]):
        ATTEMPTS.append(f"connect {address[0]}:{address[1] if len(address) > 1 else ''}")
        raise OSError("network disabled by tests/netguard.py")


def _connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    return _real_connect(self, address)


def _connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    return _real_connect_ex(self, address)


def _getaddrinfo(host, *args, **kwargs):
    if not _is_loopback(host) and not str(host).replace(".", "").isdigit():
        ATTEMPTS.append(f"resolve {host}")
        raise socket.gaierror(f"name resolution disabled by tests/netguard.py: {host}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _connect
socket.socket.connect_ex = _connect_ex
socket.getaddrinfo = _getaddrinfo


def dump(path: str | None = None) -> None:
    path = path or os.environ.get("NETGUARD_OUT")
    if path:
        with open(path, "w") as fh:
            json.dump(ATTEMPTS, fh)
