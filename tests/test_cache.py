"""Issue 17: the results cache holds data, never code. An entry is JSON, used only when its HMAC (with
the user's own key), the file's hash and the pipeline version check out; anything else is a miss and
the file is parsed again. Files are hashed as a stream, and only regular files within the size limit."""
import hashlib
import hmac
import json
import os
import pickle
import secrets
import stat
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import SEED, SEED_GOLD, ingest, read_table
from extract import loaders
from extract.cache import Cache, default_folder, entries_folder, user_key
from extract.pipeline import process_file

SEED_SHA256 = hashlib.sha256(SEED.read_bytes()).hexdigest()
GOLD_AMOUNTS = [Decimal(str(a["value_yuan"])) for a in SEED_GOLD["amounts"]]
FAKE_FIGURE = "999999999.00"


@pytest.fixture(scope="module")
def fresh_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fresh") / "out"
    assert ingest([SEED], out, "--no-cache") == 0
    return out


def _tables(out: Path) -> dict:
    """The CSV tables and normalized texts of an output folder, by name."""
    files = [*out.glob("*.csv"), *out.glob("text/*.txt")]
    return {str(p.relative_to(out)): p.read_bytes() for p in files}


def _entry(cache_dir: Path) -> Path:
    return cache_dir / entries_folder() / f"{SEED_SHA256}.json"


def _signed(body: bytes, key: bytes | None = None) -> bytes:
    """An entry as Cache.put writes it: the HMAC of the body (the user's key unless another is
    given), a newline, the body."""
    key = key or (default_folder() / "key").read_bytes()
    return hmac.new(key, body, hashlib.sha256).hexdigest().encode() + b"\n" + body


def _body(entry: Path) -> dict:
    return json.loads(entry.read_bytes().partition(b"\n")[2])


def _amounts(out: Path) -> list[Decimal]:
    return [Decimal(row["value_yuan"]) for row in read_table(out, "amounts")]


class _OpensOnLoad:
    """Unpickling this creates `marker` (open(marker, "w")): a planted entry's code, made harmless."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def test_a_planted_pickle_is_never_run(tmp_path, fresh_out, capsys):
    probe, marker = tmp_path / "probe", tmp_path / "marker"
    pickle.loads(pickle.dumps(_OpensOnLoad(probe))).close()
    assert probe.exists()  # the plant is live: unpickled, it runs

    cache = tmp_path / "cache"
    _entry(cache).parent.mkdir(parents=True)
    planted = pickle.dumps(_OpensOnLoad(marker))
    _entry(cache).with_suffix(".pickle").write_bytes(planted)  # where the pickling cache kept it
    _entry(cache).write_bytes(planted)
    assert ingest([SEED], tmp_path / "out", "--cache", str(cache)) == 0
    assert not marker.exists()
    assert "taken from the cache" not in capsys.readouterr().out
    assert _tables(tmp_path / "out") == _tables(fresh_out)
    assert _amounts(tmp_path / "out") == GOLD_AMOUNTS

    # The plant was replaced by a real entry, which the next run uses.
    assert _body(_entry(cache))["sha256"] == SEED_SHA256
    assert ingest([SEED], tmp_path / "again", "--cache", str(cache)) == 0
    assert "1 unchanged files taken from the cache" in capsys.readouterr().out
    assert _tables(tmp_path / "again") == _tables(fresh_out)


def test_an_edited_entry_is_parsed_again_and_its_figure_never_written(tmp_path, capsys):
    cache = ["--cache", str(tmp_path / "cache")]
    assert ingest([SEED], tmp_path / "first", *cache) == 0
    entry = _entry(tmp_path / "cache")
    signature, _, body = entry.read_bytes().partition(b"\n")
    document = json.loads(body)
    budget = next(row for row in document["tables"]["amounts"] if row["role"] == "budget_total")
    assert budget["value_yuan"] == "26734500.00"
    budget["value_yuan"] = FAKE_FIGURE
    entry.write_bytes(signature + b"\n" + json.dumps(document, ensure_ascii=False).encode())
    capsys.readouterr()

    assert ingest([SEED], tmp_path / "second", *cache) == 0
    assert "taken from the cache" not in capsys.readouterr().out
    assert FAKE_FIGURE not in (tmp_path / "second" / "amounts.csv").read_text(encoding="utf-8")
    assert _amounts(tmp_path / "second") == GOLD_AMOUNTS
    budget_row = next(row for row in read_table(tmp_path / "second", "amounts") if row["role"] == "budget_total")
    assert budget_row["value_yuan"] == "26734500.00"
    # The entry is written again, whole, and used by the next run.
    assert FAKE_FIGURE.encode() not in entry.read_bytes()
    assert ingest([SEED], tmp_path / "third", *cache) == 0
    assert "1 unchanged files taken from the cache" in capsys.readouterr().out


def test_a_file_name_in_gbk_bytes_goes_through_the_cache(tmp_path, capsys):
    """A name that is not UTF-8 (Python keeps its bytes as lone surrogates) is kept in an entry, and
    a cached result read under it has the name escaped in its rows, as a parsed one has."""
    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), "报告2023.txt".encode("gbk")), "wb") as f:
        f.write(SEED.read_bytes())
    escaped = f"{folder}/\\xb1\\xa8\\xb8\\xe62023.txt"

    cache = ["--cache", str(tmp_path / "gbk-name-first")]
    assert ingest([folder], tmp_path / "gbk-parsed", *cache) == 0
    assert ingest([SEED], tmp_path / "seed-cached", *cache) == 0
    assert "1 unchanged files taken from the cache" in capsys.readouterr().out
    assert read_table(tmp_path / "seed-cached", "reports")[0]["source_path"] == str(SEED)

    cache = ["--cache", str(tmp_path / "seed-first")]
    assert ingest([SEED], tmp_path / "seed-parsed", *cache) == 0
    assert ingest([folder], tmp_path / "gbk-cached", *cache) == 0
    assert "1 unchanged files taken from the cache" in capsys.readouterr().out
    assert read_table(tmp_path / "gbk-cached", "reports")[0]["source_path"] == escaped


def _edited(change):
    """A function of a real entry's JSON document that returns it changed by `change`, as bytes."""
    def edit(document: dict) -> bytes:
        change(document)
        return json.dumps(document, ensure_ascii=False).encode()
    return edit


def _first_row(document: dict, table: str) -> dict:
    return document["tables"][table][0]


WRONG_ENTRIES = {
    "a list": lambda document: b"[]",
    "tables a number": lambda document: b'{"tables": 5}',
    "truncated": lambda document: json.dumps(document, ensure_ascii=False).encode()[:5000],
    "random bytes": lambda document: secrets.token_bytes(3000),
    "rows not dicts": _edited(lambda d: d["tables"].update(amounts=[5, "x"])),
    "a table not a list": _edited(lambda d: d["tables"].update(amounts={"a": 1})),
    "an unknown table": _edited(lambda d: d["tables"].update(secrets=[])),
    "the departments table": _edited(lambda d: d["tables"].update(departments=[])),
    "an unknown column": _edited(lambda d: _first_row(d, "amounts").update(shell="rm -rf /")),
    "a missing column": _edited(lambda d: _first_row(d, "reports").pop("status")),
    "a number as a float": _edited(lambda d: _first_row(d, "amounts").update(value_yuan=1.5)),
    "a number not a number": _edited(lambda d: _first_row(d, "amounts").update(value_yuan="lots")),
    "a number infinite": _edited(lambda d: _first_row(d, "amounts").update(value_yuan="Infinity")),
    "an integer as text": _edited(lambda d: _first_row(d, "amounts").update(page="3")),
    "an integer as a bool": _edited(lambda d: _first_row(d, "amounts").update(page=True)),
    "a bool as an integer": _edited(lambda d: _first_row(d, "reports").update(needs_ocr=0)),
    "a text as a dict": _edited(lambda d: _first_row(d, "amounts").update(label={})),
    "two report rows": _edited(lambda d: d["tables"]["reports"].append(dict(d["tables"]["reports"][0]))),
    "no report row": _edited(lambda d: d["tables"].pop("reports")),
    "text not a string": _edited(lambda d: d.update(text=None)),
    "another file's": _edited(lambda d: d.update(sha256="0" * 64)),
    "another version's": _edited(lambda d: d.update(version="0" * 16)),
    "an extra field": _edited(lambda d: d.update(csv={})),
}


@pytest.fixture(scope="module")
def real_entry(tmp_path_factory) -> tuple[Path, dict]:
    """A cache folder holding the seed's entry, and that entry's JSON document."""
    folder = tmp_path_factory.mktemp("real-entry")
    Cache(folder).put(process_file(str(SEED)))
    return folder, _body(_entry(folder))


def test_the_real_entry_and_a_re_signed_copy_of_it_are_used(real_entry):
    """What the tests below plant is signed as the cache signs: else they would prove nothing."""
    folder, document = real_entry
    cache = Cache(folder)
    parsed = process_file(str(SEED))
    assert cache.get(str(SEED)).tables == parsed.tables
    _entry(folder).write_bytes(_signed(json.dumps(document, ensure_ascii=False).encode()))
    cached = cache.get(str(SEED))
    assert cache.hits == 2
    # Every value comes back as it was made: Decimals with the same digits, not merely equal.
    assert {t: [{k: (type(v), repr(v)) for k, v in row.items()} for row in rows] for t, rows in cached.tables.items()} \
        == {t: [{k: (type(v), repr(v)) for k, v in row.items()} for row in rows] for t, rows in parsed.tables.items()}
    assert (cached.text, cached.report_id, cached.source_path) == (parsed.text, parsed.report_id, str(SEED))


@pytest.mark.parametrize("signing", ["signed", "unsigned", "signed with another key"])
@pytest.mark.parametrize("wrong", WRONG_ENTRIES)
def test_an_entry_of_the_wrong_shape_is_a_miss(tmp_path, real_entry, wrong, signing):
    body = WRONG_ENTRIES[wrong](json.loads(json.dumps(real_entry[1])))
    planted = {"signed": _signed(body), "unsigned": body,
               "signed with another key": _signed(body, secrets.token_bytes(32))}[signing]
    _entry(tmp_path).parent.mkdir(parents=True)
    _entry(tmp_path).write_bytes(planted)
    cache = Cache(tmp_path)
    assert cache.get(str(SEED)) is None
    assert cache.hits == 0


def test_a_run_over_an_entry_of_the_wrong_type_writes_the_right_tables(tmp_path, fresh_out, capsys):
    cache = tmp_path / "cache"
    _entry(cache).parent.mkdir(parents=True)
    _entry(cache).write_bytes(_signed(b'{"tables": 5}'))
    assert ingest([SEED], tmp_path / "out", "--cache", str(cache)) == 0
    assert "taken from the cache" not in capsys.readouterr().out
    assert _tables(tmp_path / "out") == _tables(fresh_out)
    assert _amounts(tmp_path / "out") == GOLD_AMOUNTS


def test_the_key_is_the_users_own_made_once_and_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    keys = []
    racers = [threading.Thread(target=lambda: keys.append(user_key())) for _ in range(8)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    key_file = tmp_path / "xdg" / "jixiao" / "key"
    assert len(keys) == 8 and len(set(keys)) == 1 and keys[0] == key_file.read_bytes()
    assert len(keys[0]) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in key_file.parent.iterdir()] == ["key"]  # no drafts left

    # A --cache folder, which others may share, holds entries only: never the key.
    shared = tmp_path / "shared"
    assert ingest([SEED], tmp_path / "out", "--cache", str(shared)) == 0
    assert sorted(p.name for p in shared.rglob("*")) == sorted([entries_folder(), f"{SEED_SHA256}.json"])
    assert user_key() == keys[0]

    # A key that is not 32 bytes (empty, say) is not used: nothing is cached, nothing fails.
    key_file.write_bytes(b"")
    assert user_key() is None
    assert Cache(shared).get(str(SEED)) is None


def _returns_promptly(call, seconds: float = 5.0):
    """call(), which must return within `seconds` (run in a thread, so a blocked call cannot hang the tests)."""
    returned = []
    thread = threading.Thread(target=lambda: returned.append(call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked"
    return returned[0]


def _bytes_read() -> int:
    """Bytes this process has read so far (Linux)."""
    counters = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(counters["rchar"])


def test_a_fifo_a_device_or_a_file_over_the_limit_is_not_read(tmp_path):
    cache = Cache(tmp_path / "cache")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert _returns_promptly(lambda: cache.get(str(fifo))) is None
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    assert _returns_promptly(lambda: cache.get(str(zero))) is None

    limit = loaders.size_limit_mb("big.txt") * 2 ** 20
    assert limit == loaders.MAX_TEXT_MB * 2 ** 20
    at_limit, over_text, over_pdf = tmp_path / "at.txt", tmp_path / "big.txt", tmp_path / "huge.pdf"
    for path, size in ((at_limit, limit), (over_text, limit + 1), (over_pdf, 1536 * 2 ** 20)):
        with open(path, "wb") as f:
            f.truncate(size)  # sparse: no disk taken
    for path in (over_text, over_pdf):
        before = _bytes_read()
        assert _returns_promptly(lambda: cache.get(str(path))) is None
        assert _bytes_read() - before < 2 ** 20
    before = _bytes_read()
    assert cache.get(str(at_limit)) is None  # read (no entry holds it), which the counter sees
    assert _bytes_read() - before >= limit
