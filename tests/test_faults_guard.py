"""The private-network guard's address check, for every range a link must not reach. Pure
functions only: nothing here opens a connection (the crawl tests use a loopback canary)."""

from __future__ import annotations

import pytest

from storycrawl.netguard import address_problem, origin, parse_allowed, resolve


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("::1", "loopback"),
        ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("fe80::1", "link-local"), ("fd00:ec2::254", "private"),  # AWS metadata over IPv6
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("0.0.0.0", "unspecified"), ("::", "unspecified"),
        ("224.0.0.251", "multicast"), ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"),
        ("192.0.2.10", "private"),  # documentation range: not global
        ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
    ],
)  # fmt: skip
def test_non_public_addresses_are_refused(address, problem):
    assert address_problem(address) == problem


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_pass(address):
    assert address_problem(address) is None


@pytest.mark.parametrize("form", ["2130706433", "0x7f000001", "0177.0.0.1", "127.1"])
def test_numeric_host_forms_resolve_to_what_they_mean(form):
    # getaddrinfo reads these numerically (inet_aton): no lookup is sent anywhere.
    assert resolve(form) == ["127.0.0.1"]


def test_origins_and_the_allow_setting():
    assert origin("http://Example.COM./a") == ("http", "example.com", 80)
    assert origin("https://[::1]:8443/x") == ("https", "::1", 8443)
    assert origin("http://host:99999/") is None
    assert origin("mailto:x@example.com") is None
    allow_all, hosts, pairs = parse_allowed(["localhost", "127.0.0.1:8080", " ", "*"])
    assert allow_all and hosts == {"localhost"} and pairs == {("127.0.0.1", 8080)}
    with pytest.raises(ValueError, match="not a host"):
        parse_allowed(["http://x/path"])
