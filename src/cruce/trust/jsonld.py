"""Canonical forms for Data Integrity: JSON-LD over the shipped contexts only, and JCS.

PyLD never reaches the network from here: the document loader serves the contexts in
``contexts/`` (``contexts/index.json`` maps each URL to its file; ``contexts/README.md`` says
where each comes from) and refuses any other URL with :class:`JsonLdError`.

Expansion is strict: a property the contexts do not define would be dropped silently by
JSON-LD, and a dropped property is not signed, so it fails instead. (Under a context with
``@vocab``, such as traceability v1 or the examples context, nothing is dropped: unknown
terms become vocabulary IRIs, and those are signed.)

Speed: with the traceability context, PyLD spends ~90 % of an RDFC canonicalisation on
processing contexts. PyLD caches a processed context inside its ``ResolvedContext``, keyed
by the active context it was applied to, but only for contexts its shared cache keeps: ones
a document loader returns with ``tag: "static"``, in an LRU of 100 entries that the
traceability context's scoped contexts overflow. The loader here tags every context
static and each call gets a ``ContextResolver`` over this module's own, larger cache, so a
second credential with the same contexts is canonicalised about ten times faster.

:func:`jcs` is RFC 8785: ``rfc8785`` (pure Python) for any JSON, and the standard library's
C encoder for the common case where its output is provably identical, about four times
faster; JCS of a 1 KB credential otherwise costs as much as the Ed25519 verification.
"""

from __future__ import annotations

import json
import threading
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Final

import rfc8785
from pyld.context_resolver import ContextResolver  # type: ignore[import-untyped]
from pyld.jsonld import JsonLdError as PyLdError  # type: ignore[import-untyped]
from pyld.jsonld import JsonLdProcessor

from cruce.i18n import Message, _

if TYPE_CHECKING:
    from collections.abc import Mapping

CONTEXTS: Final = files("cruce.trust") / "contexts"
_SAFE_INTEGER: Final = 2**53
_JSON: Final = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)
MAX_RESOLVED: Final = 4096


class _ResolvedContexts(dict[str, Any]):
    """PyLD's shared cache of resolved contexts, bounded: the oldest entry goes first."""

    def __setitem__(self, key: str, value: Any) -> None:  # noqa: ANN401 - PyLD's own objects
        if key not in self and len(self) >= MAX_RESOLVED:
            del self[next(iter(self))]
        super().__setitem__(key, value)


# resolved contexts (URLs and every scoped context inside them) shared by all calls
_RESOLVED: Final = _ResolvedContexts()
# PyLD's caches are plain dictionaries: one canonicalisation at a time
_LOCK: Final = threading.Lock()


class JsonLdError(Exception):
    """A document cannot be turned into RDF as signing requires; ``message`` says why."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(str(message))


class UnknownContextError(JsonLdError):
    """A context URL that cruce does not ship (contexts are never fetched)."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(
            _("The JSON-LD context {url} is not one cruce ships; it is never fetched.", url=url)
        )


class _DroppedPropertyError(Exception):
    def __init__(self, name: str | None) -> None:
        self.name = name or "?"
        super().__init__(self.name)


@cache
def shipped_contexts() -> Mapping[str, str]:
    """The context URLs cruce ships, each with its file in ``contexts/``."""
    index = json.loads((CONTEXTS / "index.json").read_text("utf-8"))
    return {url: entry["file"] for url, entry in index["contexts"].items()}


@cache
def load_context(url: str) -> Mapping[str, Any]:
    """The parsed context document of ``url``; :class:`UnknownContextError` if not shipped."""
    name = shipped_contexts().get(url)
    if name is None:
        raise UnknownContextError(url)
    document: dict[str, Any] = json.loads((CONTEXTS / name).read_text("utf-8"))
    return document


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:  # noqa: ARG001 - PyLD's loader signature
    """A PyLD document loader over the shipped contexts; anything else is refused."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
        # "static" puts the context in PyLD's shared cache, with its processed forms
        "tag": "static",
    }


def _on_dropped(name: str | None) -> None:
    raise _DroppedPropertyError(name)


def _options() -> dict[str, Any]:
    return {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_RESOLVED, document_loader),
        "base": "",
    }


def _problem(error: PyLdError) -> JsonLdError:
    """Our own error from PyLD's chain of causes, or the innermost PyLD message."""
    cause: BaseException | None = error
    detail = str(error.args[0]) if error.args else ""
    while cause is not None:
        if isinstance(cause, JsonLdError):
            return cause
        if isinstance(cause, PyLdError) and cause.args:
            detail = str(cause.args[0])
        cause = cause.__cause__
    return JsonLdError(_("The document is not valid JSON-LD: {detail}", detail=detail))


def _run(method: str, document: Mapping[str, Any], **extra: Any) -> Any:  # noqa: ANN401 - PyLD's results are untyped
    processor = JsonLdProcessor(on_property_dropped=_on_dropped)
    try:
        with _LOCK:
            return getattr(processor, method)(document, {**_options(), **extra})
    except _DroppedPropertyError as dropped:
        raise JsonLdError(
            _(
                "The property {name} is not defined by the document's JSON-LD contexts, "
                "so it would not be signed.",
                name=dropped.name,
            )
        ) from None
    except PyLdError as error:
        raise _problem(error) from None
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as error:
        # PyLD does not check every input; a verifier must still answer, not crash
        detail = type(error).__name__
        raise JsonLdError(_("The document is not valid JSON-LD: {detail}", detail=detail)) from None


def expand(document: Mapping[str, Any]) -> list[Any]:
    """The JSON-LD expansion of ``document`` (strict: no property may be dropped)."""
    result: list[Any] = _run("expand", document)
    return result


def canonize(document: Mapping[str, Any]) -> str:
    """The RDFC-1.0 canonical N-Quads of ``document`` (URDNA2015 in PyLD: same output)."""
    result: str = _run("normalize", document, algorithm="URDNA2015", format="application/n-quads")
    return result


def clear_cache() -> None:
    """Forget processed contexts (for benchmarks that time a cold start)."""
    with _LOCK:
        _RESOLVED.clear()


# ---------------------------------------------------------------- RFC 8785 JCS
def _plain(value: object) -> bool:
    r"""Whether json.dumps(sort_keys) writes ``value`` exactly as RFC 8785 does.

    True for JSON of str, bool, None, safe integers, lists and dicts with ASCII keys:
    then sorting by code point equals sorting by UTF-16 unit, integers print alike, and
    both escape only quote, backslash and controls (short forms, else lowercase \u00xx).
    """
    stack: list[Any] = [value]
    pop, extend = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str:
            continue
        if kind is dict:
            try:
                if not "".join(item).isascii():
                    return False
            except TypeError:  # a key that is not a string
                return False
            extend(item.values())
        elif kind is list:
            extend(item)
        elif kind is int:
            if not -_SAFE_INTEGER < item < _SAFE_INTEGER:
                return False
        elif kind is not bool and item is not None:
            return False
    return True


def jcs(value: object) -> bytes:
    """RFC 8785 canonical JSON of ``value`` (fast path via ``json`` when it is exact)."""
    if _plain(value):
        try:
            return _JSON.encode(value).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: let rfc8785 report it
            pass
    return rfc8785.dumps(value)  # type: ignore[arg-type]
