"""Drives the seed client (test/fixtures/seed/kis_api.py, The Ouroboros) against a KIS-compatible base URL.

Usage: seed_driver.py BASE_URL [--app-key K --app-secret S --account 50000000-01 --symbol 005930
                                 --mode live --today YYYYMMDD --seed PATH]

Prints one JSON object per step, {"step", "ok", "detail"} (plus "expect" where the step is meant to
be refused), and exits 1 when a step that should work did not (2 when the setup itself failed).
The seed is the copy kept in test/fixtures/seed/ (so a clone alone can run it); its
`from src.config import Settings` is satisfied by a stub package written to a temp dir.
"""

from __future__ import annotations

import argparse
import asyncio
import builtins
import datetime as real_datetime
import importlib.util
import json
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SEED = REPO_ROOT / "test" / "fixtures" / "seed" / "kis_api.py"

# Only the attributes kis_api.py reads from Settings.
STUB_CONFIG = '''
class Settings:
    def __init__(self, **values):
        self.KIS_BASE_URL = values["KIS_BASE_URL"]
        self.KIS_APP_KEY = values["KIS_APP_KEY"]
        self.KIS_APP_SECRET = values["KIS_APP_SECRET"]
        self.account_number = values["account_number"]
        self.account_product_code = values["account_product_code"]
        self.RATE_LIMIT_RPS = values["RATE_LIMIT_RPS"]
        self.MODE = values["MODE"]
'''

FAILED = False


def emit(step: str, ok: bool, detail: Any, expect: str | None = None) -> None:
    global FAILED
    line: dict[str, Any] = {"step": step, "ok": ok, "detail": detail}
    if expect is not None:
        line["expect"] = expect
    if not ok:
        FAILED = True
    print(json.dumps(line, ensure_ascii=False), flush=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("base_url")
    # defaults are the simulator's published default credentials (src/sim/credentials.ts): not secret
    p.add_argument("--app-key", default="PSSIMULATORAPPKEY0000000000000000001")
    p.add_argument("--app-secret", default=None, help="default: SIM_DEFAULT_CREDENTIALS.appSecret")
    p.add_argument("--account", default="50000000-01")
    p.add_argument("--symbol", default="005930")
    p.add_argument("--mode", default="live", choices=["live", "paper"])
    p.add_argument("--today", default=None, help="YYYYMMDD the seed's datetime.now() reports (the simulator's trading day)")
    p.add_argument("--seed", default=str(DEFAULT_SEED), help="path of kis_api.py")
    return p.parse_args(argv)


def default_secret() -> str:
    return ("SIMSECRET" + "k8Qz3Xv1Lw9Tn5Rb2Yc7Hd4Jf6Mg0PsA/eU+iO" * 5)[:180]


def pinned_builtins(today: str) -> dict[str, Any]:
    """Builtins for the seed module alone, whose `from datetime import datetime` sees a clock pinned
    to `today` 10:30: get_daily_prices reads the wall clock (local time, not KST), and a simulator
    runs its own day. Scoped to the seed so aiohttp keeps the real datetime class."""
    fixed = real_datetime.datetime.strptime(today, "%Y%m%d").replace(hour=10, minute=30)

    class PinnedDatetime(real_datetime.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return fixed

    shim = types.ModuleType("datetime")
    shim.__dict__.update(real_datetime.__dict__)
    shim.datetime = PinnedDatetime  # type: ignore[attr-defined]
    real_import = builtins.__import__

    def seed_import(name: str, globals_: Any = None, locals_: Any = None, fromlist: Any = (), level: int = 0) -> Any:
        if name == "datetime" and level == 0:
            return shim
        return real_import(name, globals_, locals_, fromlist, level)

    b = dict(vars(builtins))
    b["__import__"] = seed_import
    return b


def load_seed(seed_path: Path, stub_dir: Path, today: str | None) -> types.ModuleType:
    pkg = stub_dir / "src"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "config.py").write_text(STUB_CONFIG)
    # first on the path: a regular package wins over any `src` namespace dir (the repo has a TS src/)
    sys.path.insert(0, str(stub_dir))
    spec = importlib.util.spec_from_file_location("seed_kis_api", seed_path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {seed_path}")
    module = importlib.util.module_from_spec(spec)
    if today is not None:
        # set before exec: functions capture their builtins when they are defined
        module.__dict__["__builtins__"] = pinned_builtins(today)
    spec.loader.exec_module(module)
    return module


def recording_session(aiohttp: Any, wire: list[dict[str, Any]]) -> Any:
    """A session like the seed's own (10 s total timeout) that also keeps every JSON body it
    parses: the seed drops rt_cd for everything but orders, and the steps check it here."""

    class RecordingResponse(aiohttp.ClientResponse):  # type: ignore[misc, name-defined]
        async def json(self, *args: Any, **kwargs: Any) -> Any:
            data = await super().json(*args, **kwargs)
            wire.append({"path": self.url.path, "status": self.status, "body": data})
            return data

    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10), response_class=RecordingResponse)


def envelope(wire: list[dict[str, Any]], path_end: str) -> dict[str, Any]:
    for rec in reversed(wire):
        if rec["path"].endswith(path_end):
            body = rec["body"] if isinstance(rec["body"], dict) else {}
            return {"status": rec["status"], "rt_cd": body.get("rt_cd"), "msg_cd": body.get("msg_cd"),
                    "msg1": str(body.get("msg1", "")).strip()}
    return {"status": None, "rt_cd": None, "msg_cd": None, "msg1": "no JSON response recorded"}


def holding_of(balance: dict[str, Any], symbol: str) -> int:
    for row in balance.get("output1") or []:
        if row.get("pdno") == symbol:
            return int(row.get("hldg_qty") or "0")
    return 0


async def run(args: argparse.Namespace, kis: types.ModuleType, aiohttp: Any) -> None:
    cano, _, prdt = args.account.partition("-")
    settings = kis.Settings(
        KIS_BASE_URL=args.base_url.rstrip("/"), KIS_APP_KEY=args.app_key, KIS_APP_SECRET=args.app_secret or default_secret(),
        account_number=cano, account_product_code=prdt, RATE_LIMIT_RPS=10.0, MODE=args.mode,
    )
    broker = kis.KISBroker(settings)
    wire: list[dict[str, Any]] = []
    broker._session = recording_session(aiohttp, wire)
    sym = args.symbol

    async def step(name: str, call: Any, judge: Any, expect: str | None = None) -> Any:
        try:
            result = await call()
        except Exception as exc:  # noqa: BLE001 - every failure becomes a reported step
            emit(name, False, {"error": f"{type(exc).__name__}: {exc}"}, expect)
            return None
        ok, detail = judge(result)
        emit(name, ok, detail, expect)
        return result

    try:
        await step("token", broker._ensure_token,
                   lambda t: (isinstance(t, str) and len(t) > 0, {"token_chars": len(t or ""), "scheme": "Bearer"}))

        def price_ok(r: Any) -> tuple[bool, Any]:
            env = envelope(wire, "/quotations/inquire-price")
            return r[0] > 0 and env["rt_cd"] == "0", {"price": r[0], "prdy_ctrt": r[1], "frgn_ntby_qty": r[2], "wire": env}
        await step("current_price", lambda: broker.get_current_price(sym), price_ok)

        def book_ok(r: dict[str, Any]) -> tuple[bool, Any]:
            out = r.get("output1") or {}
            ask, bid = int(out.get("askp1") or 0), int(out.get("bidp1") or 0)
            return r.get("rt_cd") == "0" and ask > bid > 0, {"askp1": ask, "bidp1": bid, "msg_cd": r.get("msg_cd")}
        await step("orderbook", lambda: broker.get_orderbook(sym), book_ok)

        def balance_ok(r: dict[str, Any]) -> tuple[bool, Any]:
            summary = (r.get("output2") or [{}])[0]
            return r.get("rt_cd") == "0" and "dnca_tot_amt" in summary, {
                "dnca_tot_amt": summary.get("dnca_tot_amt"), "holdings": len(r.get("output1") or []), "held": holding_of(r, sym),
                "msg_cd": r.get("msg_cd")}
        await step("balance", broker.get_balance, balance_ok)

        def daily_ok(rows: list[dict[str, Any]]) -> tuple[bool, Any]:
            env = envelope(wire, "/inquire-daily-itemchartprice")
            dates = [r["date"] for r in rows]
            good = env["rt_cd"] == "0" and len(rows) > 0 and dates == sorted(dates) and all(r["close"] > 0 for r in rows)
            # the seed keeps the oldest N rows of its window (README: defect to fix), so `last` may lag today
            return good, {"rows": len(rows), "first": dates[0] if dates else None, "last": dates[-1] if dates else None, "wire": env}
        await step("daily_prices", lambda: broker.get_daily_prices(sym, 20), daily_ok)

        def volume_ok(rows: list[dict[str, Any]]) -> tuple[bool, Any]:
            env = envelope(wire, "/quotations/volume-rank")
            # six-character codes, or 'Q' + six digits for ETNs (docs/kis-wire.md §6): the seed asks for every kind
            good = env["rt_cd"] == "0" and len(rows) > 0 and all(
                (len(r["stock_code"]) == 6 or (len(r["stock_code"]) == 7 and r["stock_code"].startswith("Q"))) and r["price"] > 0 for r in rows)
            return good, {"rows": len(rows), "top": rows[0] if rows else None, "wire": env}
        await step("volume_ranking", lambda: broker.fetch_market_rankings("volume", 30), volume_ok)

        def fluct_refused(rows: list[dict[str, Any]]) -> tuple[bool, Any]:
            # docs/kis-wire.md §6.6: sort code '0000' is refused by live KIS; the seed does not read rt_cd and
            # returns an empty list, so the refusal is read off the wire
            env = envelope(wire, "/ranking/fluctuation")
            refused = env["rt_cd"] not in (None, "0") and "fid_rank_sort_cls_code" in env["msg1"]
            return refused and rows == [], {"rows_seed_returned": len(rows), "wire": env}
        await step("fluctuation_ranking", lambda: broker.fetch_market_rankings("fluctuation", 30), fluct_refused, expect="rejection")

        def order_ok(r: dict[str, Any]) -> tuple[bool, Any]:
            out = r.get("output") or {}
            odno = str(out.get("ODNO", ""))
            good = r.get("rt_cd") == "0" and len(odno) == 10 and odno.isdigit()
            return good, {"rt_cd": r.get("rt_cd"), "msg_cd": r.get("msg_cd"), "msg1": str(r.get("msg1", "")).strip(), "ODNO": odno,
                          "KRX_FWDG_ORD_ORGNO": out.get("KRX_FWDG_ORD_ORGNO"), "ORD_TMD": out.get("ORD_TMD")}
        await step("market_buy", lambda: broker.send_order(sym, "BUY", 1, 0), order_ok)

        def after_ok(r: dict[str, Any]) -> tuple[bool, Any]:
            ok, detail = balance_ok(r)
            return ok and detail["held"] >= 1, detail
        await step("balance_after", broker.get_balance, after_ok)
    finally:
        await broker.close()


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        import aiohttp
    except ImportError as exc:
        emit("setup", False, {"error": f"{exc}; run: apt-get install -y python3-aiohttp", "python": sys.executable})
        return 2
    seed_path = Path(args.seed)
    if not seed_path.is_file():
        emit("setup", False, {"error": f"seed client not found at {seed_path}"})
        return 2
    with tempfile.TemporaryDirectory(prefix="seed-stub-") as stub_dir:
        try:
            kis = load_seed(seed_path, Path(stub_dir), args.today)
        except Exception as exc:  # noqa: BLE001
            emit("setup", False, {"error": f"importing {seed_path}: {type(exc).__name__}: {exc}"})
            return 2
        emit("setup", True, {"python": sys.version.split()[0], "aiohttp": aiohttp.__version__, "seed": str(seed_path),
                             "today": args.today})
        asyncio.run(run(args, kis, aiohttp))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
