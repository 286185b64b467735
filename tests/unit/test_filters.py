"""The Traces filter language: what parses, into which terms, and every error with its offset."""

from __future__ import annotations

import pytest

from llmops_tui.domain.filters import (
    FIELDS,
    NUMERIC_FIELDS,
    CompareTerm,
    Comparison,
    FilterError,
    MatchTerm,
    PromptRef,
    PromptTerm,
    Term,
    TextTerm,
    TraceFilter,
    parse_filter,
)


def terms(text: str) -> tuple[Term, ...]:
    return parse_filter(text).terms


def error(text: str) -> FilterError:
    with pytest.raises(FilterError) as info:
        parse_filter(text)
    return info.value


@pytest.mark.parametrize("text", ["", "   ", "\t\n", '""', '  ""  '])
def test_empty_input_matches_everything(text: str) -> None:
    assert parse_filter(text) == TraceFilter()
    assert parse_filter(text).is_empty


def test_the_issue_example() -> None:
    text = (
        "model:gpt-4o status:error env:production prompt:support@3 latency>2s cost>0.01 "
        'user:u123 "free text"'
    )
    assert terms(text) == (
        MatchTerm("model", ("gpt-4o",)),
        MatchTerm("status", ("error",)),
        MatchTerm("env", ("production",)),
        PromptTerm((PromptRef("support", "3"),)),
        CompareTerm("latency", Comparison.GT, 2000.0),
        CompareTerm("cost", Comparison.GT, 0.01),
        MatchTerm("user", ("u123",)),
        TextTerm("free text"),
    )


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("model:gpt-4o*", "model", "gpt-4o*"),
        ("provider:openai", "provider", "openai"),
        ("env:staging", "env", "staging"),
        ("release:r-2024.11", "release", "r-2024.11"),
        ("user:u123", "user", "u123"),
        ("session:s-9", "session", "s-9"),
        ("service:checkout-api", "service", "checkout-api"),
        ("name:retrieve*", "name", "retrieve*"),
        ("kind:client", "kind", "client"),
        ("operation:chat", "operation", "chat"),
        ("status:ok", "status", "ok"),
        ("status:UNSET", "status", "unset"),
        ("trace:4BF92F", "trace", "4bf92f"),
        ("MODEL:x", "model", "x"),
    ],
)
def test_text_fields(text: str, field: str, value: str) -> None:
    assert terms(text) == (MatchTerm(field, (value,)),)


@pytest.mark.parametrize(
    ("text", "ref", "stored"),
    [
        ("prompt:support", PromptRef("support"), ()),
        ("prompt:support@3", PromptRef("support", "3"), ("3", "v3")),
        ("prompt:support@v3", PromptRef("support", "3"), ("3", "v3")),
        ("prompt:support@V3", PromptRef("support", "3"), ("3", "v3")),
        ("prompt:support@1.2", PromptRef("support", "1.2"), ("1.2", "v1.2")),
        ("prompt:support@latest", PromptRef("support", "latest"), ("latest",)),
        ("prompt:team@corp@2", PromptRef("team@corp", "2"), ("2", "v2")),
    ],
)
def test_prompt_versions(text: str, ref: PromptRef, stored: tuple[str, ...]) -> None:
    assert terms(text) == (PromptTerm((ref,)),)
    assert ref.stored_versions == stored


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("latency>2s", CompareTerm("latency", Comparison.GT, 2000.0)),
        ("latency>=250ms", CompareTerm("latency", Comparison.GE, 250.0)),
        ("latency<1.5m", CompareTerm("latency", Comparison.LT, 90_000.0)),
        ("latency<=300", CompareTerm("latency", Comparison.LE, 300.0)),
        ("duration>2S", CompareTerm("latency", Comparison.GT, 2000.0)),
        ("cost>0.01", CompareTerm("cost", Comparison.GT, 0.01)),
        ("cost<$.5", CompareTerm("cost", Comparison.LT, 0.5)),
        ("tokens>=1e3", CompareTerm("tokens", Comparison.GE, 1000.0)),
        ("input_tokens>5000", CompareTerm("input_tokens", Comparison.GT, 5000.0)),
        ("output_tokens<10", CompareTerm("output_tokens", Comparison.LT, 10.0)),
        ("tokens<=1000000000000", CompareTerm("tokens", Comparison.LE, 1e12)),
        ("cost<=1000000", CompareTerm("cost", Comparison.LE, 1e6)),
    ],
)
def test_comparisons(text: str, expected: CompareTerm) -> None:
    assert terms(text) == (expected,)


def test_every_documented_field_parses() -> None:
    for field in FIELDS:
        text = f"{field}>1" if field in NUMERIC_FIELDS or field == "duration" else f"{field}:ab"
        if field == "status":
            text = "status:ok"
        assert len(terms(text)) == 1, field


def test_quoted_values_and_escapes() -> None:
    assert terms('user:"a b"') == (MatchTerm("user", ("a b",)),)
    assert terms(r'name:"say \"hi\" \\ there"') == (MatchTerm("name", ('say "hi" \\ there',)),)
    assert terms('"free text"') == (TextTerm("free text"),)
    assert terms(r'"a\:b"') == (TextTerm("a:b"),)
    assert terms('"http://example.com/x"') == (TextTerm("http://example.com/x"),)
    assert terms(r"back\slash") == (TextTerm(r"back\slash"),)


def test_negation() -> None:
    assert terms('-env:staging -latency>2s -timeout -"rate limit"') == (
        MatchTerm("env", ("staging",), negated=True),
        CompareTerm("latency", Comparison.GT, 2000.0, negated=True),
        TextTerm("timeout", negated=True),
        TextTerm("rate limit", negated=True),
    )


def test_a_lone_or_double_dash_is_text() -> None:
    assert terms("- -- --x") == (TextTerm("-"), TextTerm("--"), TextTerm("--x"))


def test_repeated_fields_are_ored_and_terms_anded() -> None:
    assert terms("model:gpt-4o status:error model:claude-sonnet-4-5 model:gpt-4o") == (
        MatchTerm("model", ("gpt-4o", "claude-sonnet-4-5")),
        MatchTerm("status", ("error",)),
    )
    assert terms("prompt:a@1 prompt:b") == (PromptTerm((PromptRef("a", "1"), PromptRef("b"))),)
    assert terms("-model:a -model:b model:c") == (
        MatchTerm("model", ("a", "b"), negated=True),
        MatchTerm("model", ("c",)),
    )
    assert terms("latency>1s latency<5s") == (
        CompareTerm("latency", Comparison.GT, 1000.0),
        CompareTerm("latency", Comparison.LT, 5000.0),
    )
    assert terms("foo foo") == (TextTerm("foo"), TextTerm("foo"))


@pytest.mark.parametrize(
    "text",
    [
        "'; DROP TABLE spans; --",
        "1=1",
        "12:30",
        "%_*",
        "robert');",
        "é漢字",
        ">5",
    ],
)
def test_hostile_or_odd_words_are_just_free_text(text: str) -> None:
    parsed = terms(text)
    assert parsed
    assert all(isinstance(term, TextTerm) for term in parsed)
    assert [t.text for t in parsed if isinstance(t, TextTerm)] == text.split()


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ('model:"unterminated', 6, "unbalanced quote at 6"),
        ('user:u1 "free text', 8, "unbalanced quote at 8"),
        ('"ends with backslash\\', 0, "unbalanced quote at 0"),
        ('name:"a"b', 8, "expected a space after the closing quote at 8"),
        ('model:gpt"4o', 9, "unexpected quote at 9"),
        ("modle:gpt-4o", 0, "unknown field 'modle' at 0 (did you mean 'model'?)"),
        ("status:ok  stauts:error", 11, "unknown field 'stauts' at 11 (did you mean 'status'?)"),
        ("foo:bar", 0, "unknown field 'foo' at 0"),
        ("latency:2s", 7, "latency: compare with >, <, >= or <= (e.g. latency>2s), not ':'"),
        ("cost:1", 4, "cost: compare with >, <, >= or <= (e.g. cost>0.01), not ':'"),
        ("model>gpt", 5, "model: '>' compares numbers only; use model:value"),
        ("user<=a", 4, "user: '<=' compares numbers only; use user:value"),
        ("latency>fast", 8, "latency: expected a duration like 250ms, 2s or 1.5m, got 'fast'"),
        ("latency>2h", 8, "latency: expected a duration like 250ms, 2s or 1.5m, got '2h'"),
        ("latency>-5", 8, "latency: expected a duration like 250ms, 2s or 1.5m, got '-5'"),
        ("cost>cheap", 5, "cost: expected an amount in USD like 0.01, got 'cheap'"),
        ("tokens>1k", 7, "tokens: expected a number of tokens like 1000, got '1k'"),
        ("tokens>nan", 7, "tokens: expected a number of tokens like 1000, got 'nan'"),
        ("latency>1e400", 8, "latency: number too large (at most 1,000,000,000,000)"),
        ("latency>16666667m", 8, "latency: number too large"),
        ("cost>99999999999", 5, "cost: number too large (at most 1,000,000)"),
        ("tokens>" + "9" * 400, 7, "tokens: number too large"),
        ("status:failed", 7, "status: expected ok, error or unset, got 'failed'"),
        ("trace:xyz", 6, "trace: expected a hex trace id prefix (up to 32 digits), got 'xyz'"),
        ("trace:" + "a" * 33, 6, "trace: expected a hex trace id prefix"),
        ("user:u1*", 5, "user: wildcards (*) work only in model and name"),
        ("prompt:@3", 7, "prompt: expected name or name@version, got '@3'"),
        ("prompt:support@", 7, "prompt: expected name or name@version, got 'support@'"),
        ("model:", 6, "model: missing value at 6"),
        ("model: gpt", 6, "model: missing value at 6"),
        ('model:""', 6, "model: empty value at 6"),
        ("model=gpt-4o", 5, "model: unexpected '=' at 5"),
        ("a\x00b", 1, "unexpected control character at 1"),
        ("x \x1b[31m", 2, "unexpected control character at 2"),
    ],
)
def test_errors_say_what_and_where(text: str, position: int, message: str) -> None:
    err = error(text)
    assert str(err).startswith(message)
    assert err.position == position
    assert "\n" not in str(err)


def test_unknown_fields_list_the_fields_in_the_hint() -> None:
    err = error("http://example.com")
    assert str(err) == "unknown field 'http' at 0"
    assert err.hint is not None
    assert "model" in err.hint
    assert "quote" in err.hint


def test_long_values_are_shortened_in_messages() -> None:
    err = error("latency>" + "x" * 100)
    assert len(str(err)) < 120
    assert "..." in str(err)


def test_limits_on_terms_and_length() -> None:
    assert len(terms(" ".join(["x"] * 30))) == 30
    text = " ".join(f"w{i}" for i in range(31))
    err = error(text)
    assert str(err) == f"too many terms at {text.index('w30')}: at most 30"
    assert err.position == text.index("w30")
    assert len(terms("x" * 500)) == 1
    err = error("x" * 501)
    assert str(err) == "filter too long: 501 characters, at most 500"
    assert err.position == 500


def test_filter_error_is_a_user_error() -> None:
    from llmops_tui.errors import LlmopsError

    assert isinstance(error("modle:x"), LlmopsError)
