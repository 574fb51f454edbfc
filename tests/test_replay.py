import json

import pytest

from storycrawl.replay import Recording, RecordingError


def write_group(root, routes, files=None):
    group = root / "g"
    (group / "files").mkdir(parents=True)
    for name, body in (files or {}).items():
        (group / "files" / name).write_bytes(body)
    (group / "routes.jsonl").write_text("\n".join(json.dumps(r) for r in routes) + "\n")
    return root


def test_routes_match_with_parameters_in_any_order(tmp_path):
    root = write_group(
        tmp_path,
        [{"url": "https://api.example.com/s?b=2&a=1", "body": "files/x.json"}],
        {"x.json": b"{}"},
    )
    recording = Recording.load(root)
    route = recording.find("GET", "https://api.example.com/s?a=1&b=2")
    assert route is not None and route.body() == b"{}"
    assert recording.find("GET", "https://api.example.com/s?a=1") is None
    assert recording.find("POST", "https://api.example.com/s?a=1&b=2") is None


def test_ignored_parameters_and_exact_match_preference(tmp_path):
    root = write_group(
        tmp_path,
        [
            {
                "url": "https://api.example.com/s?q=rag&page=0",
                "ignore_params": ["numericFilters"],
                "body": "files/any.json",
            },
            {
                "url": "https://api.example.com/s?q=rag&page=0&numericFilters=x%3E1",
                "body": "files/exact.json",
            },
        ],
        {"any.json": b"any", "exact.json": b"exact"},
    )
    recording = Recording.load(root)
    assert (
        recording.find(
            "GET", "https://api.example.com/s?page=0&q=rag&numericFilters=created_at_i%3E99"
        ).body()
        == b"any"
    )
    assert (
        recording.find("GET", "https://api.example.com/s?page=0&q=rag&numericFilters=x>1").body()
        == b"exact"
    )
    assert (
        recording.find("GET", "https://api.example.com/s?page=1&q=rag&numericFilters=x>1") is None
    )


def test_a_route_to_a_missing_body_file_is_a_clear_error(tmp_path):
    root = write_group(tmp_path, [{"url": "https://x.example/", "body": "files/nope.html"}])
    with pytest.raises(
        RecordingError, match=r"routes.jsonl:1: body file files/nope.html not found"
    ):
        Recording.load(root)


def test_a_malformed_route_line_names_its_line(tmp_path):
    root = write_group(tmp_path, [{"url": "https://x.example/"}])
    with (root / "g" / "routes.jsonl").open("a") as handle:
        handle.write("{not json\n")
    with pytest.raises(RecordingError, match=r"routes.jsonl:2"):
        Recording.load(root)


def test_missing_folder(tmp_path):
    with pytest.raises(RecordingError, match="does not exist"):
        Recording.load(tmp_path / "nope")
