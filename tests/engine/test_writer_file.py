"""Writers against backtrader 1.9.78: the same run written by ``bt.WriterFile`` in both
libraries gives the same text, byte for byte (csv header and rows, NaN filtering, counter,
the closing summary with params, indicators, observers and analyses)."""

from __future__ import annotations

import difflib
import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import backtrader as bt
import pytest

import tradebridge as tb
from tradebridge.engine import loops
from tradebridge.engine.writers import step_calls
from tradebridge.utils.synthetic import synthetic_ohlcv

LIBS = (tb, bt)


def cross_strategy(lib: Any, sma: str = "MovingAverageSimple") -> type:
    """SMA cross per data; the first SMA in the csv, an RSI and a line expression not."""

    class Cross(lib.Strategy):
        params = dict(period=5, label="x", stake=3)

        def __init__(self) -> None:
            self.smas = [getattr(lib.ind, sma)(d, period=self.p.period) for d in self.datas]
            self.smas[0].csv = True
            self.cross = [lib.ind.CrossOver(d.close, s) for d, s in zip(self.datas, self.smas)]
            self.rsi = lib.ind.RelativeStrengthIndex(self.data0, period=4)
            self.diff = self.data0.close - self.smas[0]

        def next(self) -> None:
            for d, c in zip(self.datas, self.cross):
                pos = self.getposition(d).size
                if not pos and c[0] > 0:
                    self.buy(d, size=self.p.stake)
                elif pos and c[0] < 0:
                    self.close(d)

    return Cross


def build(lib: Any, ndatas: int = 1, nstrats: int = 1, sma: str = "MovingAverageSimple",
          **cerebro_kw: Any) -> Any:
    """A cerebro with the datas (the second every other day), strategies and analyzers."""
    cerebro = lib.Cerebro(**cerebro_kw)
    for i in range(ndatas):
        df = synthetic_ohlcv(60, seed=3 + i)
        cerebro.adddata(lib.feeds.PandasData(dataname=df.iloc[::2] if i else df),
                        name=f"d{i}" if ndatas > 1 else None)  # one data: unnamed
    for k in range(nstrats):
        cerebro.addstrategy(cross_strategy(lib, sma), period=5 + k)
    cerebro.addanalyzer(lib.analyzers.TradeAnalyzer)
    cerebro.addanalyzer(lib.analyzers.DrawDown, _name="dd")
    cerebro.addanalyzer(lib.analyzers.SQN)
    cerebro.addanalyzer(lib.analyzers.Returns)
    cerebro.addanalyzer(lib.analyzers.SharpeRatio, timeframe=lib.TimeFrame.Days)
    cerebro.addobserver(lib.observers.DrawDown)
    return cerebro


def written(lib: Any, writer_kw: dict[str, Any] | None = None, run_kw: dict[str, Any] | None = None,
            **build_kw: Any) -> str:
    """The text a WriterFile into a StringIO gets from the run."""
    out = io.StringIO()
    cerebro = build(lib, **build_kw)
    cerebro.addwriter(lib.WriterFile, out=out, **(writer_kw or {}))
    cerebro.run(**(run_kw or {}))
    return out.getvalue()


def assert_same_text(ours: str, ref: str) -> None:
    if ours != ref:
        diff = difflib.unified_diff(ref.splitlines(True), ours.splitlines(True), "backtrader", "tradebridge")
        pytest.fail("writer output differs:\n" + "".join(list(diff)[:40]))


def assert_same_run(**kw: Any) -> str:
    ours, ref = written(tb, **kw), written(bt, **kw)
    assert_same_text(ours, ref)
    return ours


@pytest.mark.parametrize("ndatas", [1, 2])
@pytest.mark.parametrize("csv", [True, False])
def test_rows_and_summary_equal_backtraders(ndatas: int, csv: bool) -> None:
    text = assert_same_run(ndatas=ndatas, writer_kw=dict(csv=csv))
    assert ("Id," in text) is csv
    assert "- Analysis:" in text and "MovingAverageSimple" in text


@pytest.mark.parametrize("run_kw", [dict(runonce=False), dict(preload=False)], ids=["runonce0", "preload0"])
def test_bar_by_bar_rows_equal_backtraders(run_kw: dict[str, Any]) -> None:
    assert_same_run(writer_kw=dict(csv=True), run_kw=run_kw)


@pytest.mark.parametrize("rounding", [0, 2, 5])
def test_rounding_equals_backtraders(rounding: int) -> None:
    assert_same_run(ndatas=2, writer_kw=dict(csv=True, rounding=rounding))


def test_every_format_param_equals_backtraders() -> None:
    assert_same_run(writer_kw=dict(csv=True, csv_filternan=False, csv_counter=False, csvsep=";",
                                   indent=3, seplen=60, separators=["#", "@"]))


@pytest.mark.parametrize("ndatas, runonce", [(2, True), (1, False)])  # 2 datas bar by bar: below
def test_two_strategies_a_row_after_each_equal_backtraders(ndatas: int, runonce: bool) -> None:
    text = assert_same_run(ndatas=ndatas, nstrats=2, writer_kw=dict(csv=True), run_kw=dict(runonce=runonce))
    rows = [line for line in text.splitlines() if line[:1].isdigit()]
    assert len(rows) == 2 * 60


def test_out_file_path_equals_backtraders(tmp_path: Path) -> None:
    texts = []
    for lib in LIBS:
        path = tmp_path / f"{lib.__name__}.csv"
        cerebro = build(lib)
        cerebro.addwriter(lib.WriterFile, csv=True, out=str(path))
        cerebro.run()
        assert cerebro.runwriters[0].out.closed  # a file it opened, it closes
        texts.append(path.read_text())
    assert_same_text(*texts)


def test_out_may_be_a_path_object(tmp_path: Path) -> None:
    for out in (tmp_path / "a.csv", str(tmp_path / "b.csv")):
        cerebro = build(tb)
        cerebro.addwriter(tb.WriterFile, csv=True, out=out)
        cerebro.run()
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()


def test_writer_stringio_equals_backtraders() -> None:
    texts = []
    for lib in LIBS:
        cerebro = build(lib)
        cerebro.addwriter(lib.WriterStringIO, csv=True)
        cerebro.run()
        out = cerebro.runwriters[0].out
        assert out.tell() == 0  # rewound for reading
        texts.append(out.read())
    assert_same_text(*texts)


def test_run_writer_true_prints_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    texts = []
    for lib in LIBS:
        build(lib).run(writer=True)
        texts.append(capsys.readouterr().out)
    assert_same_text(*texts)
    assert texts[0].startswith("=" * 79 + "\nCerebro:\n")


def test_an_indicator_is_named_by_its_class_not_the_alias_used() -> None:
    """The one normalised difference: backtrader's aliases are subclasses named after the
    alias (``SMA``); here an alias is the class itself (``MovingAverageSimple``)."""
    ours = written(tb, sma="SMA", writer_kw=dict(csv=True))
    ref = written(bt, sma="SMA", writer_kw=dict(csv=True))
    assert "- SMA:" in ref and "- SMA:" not in ours
    assert_same_text(ours, re.sub(r"\bSMA\b", "MovingAverageSimple", ref))  # csv name column too


def test_bar_by_bar_multi_calendar_differs_only_in_the_second_buysell() -> None:
    """docs/compat.md: bar by bar, backtrader's BuySell observer of a data with fewer bars
    moves with that data; here every observer moves with its strategy (as in runonce)."""
    kw: dict[str, Any] = dict(ndatas=2, writer_kw=dict(csv=True), run_kw=dict(preload=False))
    ours, ref = written(tb, **kw), written(bt, **kw)
    first = ref.splitlines()[1].split(",").index("BuySell")
    at = ref.splitlines()[1].split(",").index("BuySell", first + 1)

    def without(text: str) -> list[str]:
        return [",".join(f for k, f in enumerate(line.split(",")) if not at <= k < at + 4)
                for line in text.splitlines()]

    assert ours != ref
    assert without(ours) == without(ref)


def test_out_in_a_missing_directory_fails_before_the_run(tmp_path: Path) -> None:
    built = []

    class Spy(tb.Strategy):
        def __init__(self) -> None:
            built.append(self)

    path = tmp_path / "nowhere" / "run.csv"
    cerebro = tb.Cerebro()
    cerebro.adddata(tb.feeds.PandasData(dataname=synthetic_ohlcv(10, seed=1)))
    cerebro.addstrategy(Spy)
    cerebro.addwriter(tb.WriterFile, csv=True, out=str(path))
    with pytest.raises(FileNotFoundError, match="nowhere"):
        cerebro.run()
    assert not built
    with pytest.raises(FileNotFoundError, match=r"run\.csv"):
        tb.WriterFile(out=path)


def test_unknown_writer_param_is_a_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match="'csvv'"):
        tb.WriterFile(csvv=True)


def test_module_and_names_as_backtrader() -> None:
    for name in ("WriterBase", "WriterFile", "WriterStringIO"):
        assert getattr(tb.writer, name) is getattr(tb, name)
        assert hasattr(bt.writer, name)
    assert tb.WriterFile.params._getitems() == list(bt.WriterFile.params._getitems())


@pytest.mark.parametrize("writer_kw, plain", [(None, True), (dict(csv=False), True), (dict(csv=True), False)],
                         ids=["none", "summary", "csv"])
def test_only_csv_writers_leave_the_plain_loop(monkeypatch: pytest.MonkeyPatch,
                                               writer_kw: dict[str, Any] | None, plain: bool) -> None:
    """No writer, or one that only writes the summary: the one-data fast path (with its
    deferred valuation) runs untouched; csv rows take the general loop, a row per step."""
    calls: list[Any] = []
    real = loops._run_once_plain
    monkeypatch.setattr(loops, "_run_once_plain", lambda *a: calls.append(a) or real(*a))
    cerebro = tb.Cerebro()
    cerebro.adddata(tb.feeds.PandasData(dataname=synthetic_ohlcv(30, seed=2)))
    cerebro.addstrategy(cross_strategy(tb))
    if writer_kw is not None:
        cerebro.addwriter(tb.WriterFile, out=io.StringIO(), **writer_kw)
    strat = cerebro.run()[0]
    assert bool(calls) is plain
    steps = step_calls(cerebro, [strat])
    assert (steps == [strat._step]) is (writer_kw is None or not writer_kw["csv"])


@pytest.mark.parametrize("kw", [{}, dict(rounding=2)])
def test_analyzer_print_writes_as_backtraders(capsys: pytest.CaptureFixture[str], kw: dict[str, Any]) -> None:
    """``Analyzer.print`` is a WriterFile's summary of the analysis (stdout unless ``out``)."""
    texts = []
    for lib in LIBS:
        strat = build(lib).run()[0]
        for analyzer in strat.analyzers:
            analyzer.print(**kw)
        texts.append(capsys.readouterr().out)
    assert_same_text(*texts)
    assert texts[0].count("=" * 79) == 5


def test_optimization_writes_each_combination_as_backtrader() -> None:
    """Sequential optstrategy: one writer sees every combination (the header grows with
    each, as in backtrader); on an executor the writers travel pickled with the engine."""
    texts = []
    for lib in LIBS:
        out = io.StringIO()
        cerebro = build(lib)
        cerebro.strats.clear()
        cerebro.optstrategy(cross_strategy(lib), period=[4, 6])
        cerebro.addwriter(lib.WriterFile, csv=True, out=out)
        cerebro.run(maxcpus=1)
        texts.append(out.getvalue())
    assert_same_text(*texts)
    cerebro = build(tb)
    cerebro.strats.clear()
    cerebro.optstrategy(PickledCross, period=[4, 6])
    cerebro.addwriter(tb.WriterFile, csv=True, out=io.StringIO())
    with ThreadPoolExecutor(1) as pool:  # one thread: the engine is not thread-safe, this tests pickling
        results = cerebro.run(executor=pool)
    assert len(results) == 2


PickledCross = cross_strategy(tb)  # module level: the executor pickles the engine by reference
PickledCross.__qualname__ = "PickledCross"
