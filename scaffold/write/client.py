"""The model client: settings from spec, environment and flags, and chat completions through
the openai SDK against any OpenAI-compatible server. The API key is read from OPENAI_API_KEY
only and never written anywhere.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from scaffold.errors import WriteError
from scaffold.spec.model import LLMSpec

Message = dict[str, str]
# Local servers (Ollama, llama.cpp, vLLM) need no key; the SDK insists on one.
NO_KEY = "no-key"


@dataclass(frozen=True)
class LLMSettings:
    model: str
    base_url: str | None = None
    temperature: float = 0.0
    max_attempts: int = 3
    concurrency: int = 4
    timeout: float = 120.0
    max_retries: int = 3  # of one request, on 429, 5xx and lost connections (not timeouts)
    offline: bool = False  # never call a model: a cache miss is an error
    missing_ok: bool = False  # offline, a cache miss keeps the skeleton (for `scaffold check`)
    refresh: frozenset[str] = frozenset()  # units asked again even when cached
    token_budget: int | None = None  # of the whole run; when used up, no more requests
    test_timeout: float = 120.0


def resolve_settings(
    spec: LLMSpec,
    *,
    model: str | None = None,
    base_url: str | None = None,
    max_attempts: int | None = None,
    temperature: float | None = None,
    concurrency: int | None = None,
    offline: bool = False,
    environ: Mapping[str, str] | None = None,
) -> LLMSettings:
    """The spec's writer.llm, overridden by OPENAI_BASE_URL, overridden by the flags."""
    env = os.environ if environ is None else environ
    return LLMSettings(
        model=model or spec.model,
        base_url=base_url or env.get("OPENAI_BASE_URL") or spec.base_url,
        temperature=spec.temperature if temperature is None else temperature,
        max_attempts=max(1, max_attempts or spec.max_attempts),
        concurrency=max(1, concurrency or spec.concurrency),
        timeout=spec.timeout,
        offline=offline,
        test_timeout=spec.test_timeout,
    )


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    finish_reason: str
    tokens: int


class ModelClient:
    """Chat completions through the openai SDK (its retries back off on 429/5xx/timeouts)."""

    def __init__(self, settings: LLMSettings) -> None:
        from openai import OpenAI

        self.settings = settings
        self._client = OpenAI(
            api_key=os.environ.get("OPENAI_API_KEY") or NO_KEY,
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=0,  # retried here, without retrying timeouts
        )

    def complete(self, unit: str, messages: Sequence[Message]) -> Completion:
        """One answer; 429, 5xx and lost connections are retried with backoff, a timeout not
        (a server that hangs once hangs again: the user should hear it at once)."""
        import openai

        for retry in range(self.settings.max_retries + 1):
            try:
                response = self._client.chat.completions.create(
                    model=self.settings.model,
                    messages=[dict(m) for m in messages],  # type: ignore[misc]
                    temperature=self.settings.temperature,
                )
                return _completion(response, self.settings.model)
            except TypeError as exc:  # a 200 that is no chat completion (an HTML page, ...)
                raise self._error(unit, exc) from exc
            except openai.APITimeoutError as exc:
                raise self._error(unit, exc) from exc
            except (
                openai.RateLimitError,
                openai.InternalServerError,
                openai.APIConnectionError,
            ) as exc:
                if retry == self.settings.max_retries:
                    raise self._error(unit, exc) from exc
                time.sleep(_backoff(exc, retry))
            except openai.OpenAIError as exc:
                raise self._error(unit, exc) from exc
        raise AssertionError("unreachable")

    def _error(self, unit: str, exc: Exception) -> WriteError:
        """The failure in words, with what the server said (never the key)."""
        import openai

        where = self.settings.base_url or "the OpenAI API"
        status = getattr(exc, "status_code", None)
        detail = f" (HTTP {status})" if status is not None else ""
        said = _server_said(exc)
        known: list[tuple[type[Exception], str, str]] = [
            (
                openai.APITimeoutError,
                f"the model server at {where} did not answer within {self.settings.timeout:g} s",
                "raise writer.llm.timeout, or use a faster model",
            ),
            (
                openai.APIConnectionError,
                f"cannot reach the model server at {where}",
                _unreachable_hint(self.settings.base_url),
            ),
            (
                openai.AuthenticationError,
                f"the model server at {where} refused the API key",
                "set OPENAI_API_KEY to a valid key",
            ),
            (
                openai.PermissionDeniedError,
                f"the model server at {where} denied access to model {self.settings.model!r}",
                "check the key's permissions, or writer.llm.model / --model",
            ),
            _not_found(exc, self.settings.model, where),
            (
                openai.BadRequestError,
                f"the model server at {where} refused the request",
                "check writer.llm.model and writer.llm.temperature for this server",
            ),
            (openai.APIStatusError, f"the model server at {where} failed", "try again later"),
        ]
        for kind, message, hint in known:
            if isinstance(exc, kind):
                return WriteError(f"unit {unit}: {message}{detail}{said}", hint=hint)
        what = "no chat completion" if isinstance(exc, TypeError) else type(exc).__name__
        return WriteError(
            f"unit {unit}: the model server at {where} gave an answer the client cannot read "
            f"({what}){said}",
            hint="is it an OpenAI-compatible server? its base URL usually ends in /v1",
        )


def _unreachable_hint(base_url: str | None) -> str:
    if base_url and not base_url.startswith(("http://", "https://")):
        return "the base URL must start with http:// or https:// (e.g. http://localhost:11434/v1)"
    return "is the server running? check writer.llm.base_url, OPENAI_BASE_URL or --base-url"


def _not_found(exc: Exception, model: str, where: str) -> tuple[type[Exception], str, str]:
    """A 404 with an error object is the model's; one without is a wrong path (no /v1)."""
    import openai

    body = getattr(exc, "body", None)
    if isinstance(exc, openai.NotFoundError) and not isinstance(body, dict):
        return (
            openai.NotFoundError,
            f"no OpenAI-compatible API at {where}",
            "the base URL of Ollama, vLLM, llama.cpp and LM Studio ends in /v1",
        )
    return (
        openai.NotFoundError,
        f"model {model!r} not found at {where}",
        "check writer.llm.model or --model (the server's /v1/models lists them)",
    )


def _server_said(exc: Exception, limit: int = 200) -> str:
    """The server's own error message, short, with the key blanked should it echo it."""
    body = getattr(exc, "body", None)
    message = body.get("message") or body.get("detail") if isinstance(body, dict) else None
    if isinstance(exc, TypeError) and str(exc).startswith("no choices: "):
        message = str(exc).removeprefix("no choices: ")
    if not isinstance(message, str) or not message.strip():
        return ""
    key = os.environ.get("OPENAI_API_KEY")
    text = " ".join(message.split())
    if key:
        text = text.replace(key, "***")
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f": {text}"


def _backoff(exc: Exception, retry: int) -> float:
    """The server's Retry-After (ms or s) when it gives one, else 0.5 s doubling, at most 8 s."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return min(float(headers[name]) * scale, 30.0)
        except (KeyError, ValueError):
            continue
    return float(min(0.5 * 2**retry, 8.0))


def _completion(response: Any, asked: str) -> Completion:
    """The answer, whatever the server left out: no usage counts 0 tokens; no model means the
    one asked for (never another); no content (tool calls only) reads their arguments."""
    choices = None if isinstance(response, str | bytes) else getattr(response, "choices", None)
    if not choices:
        error = getattr(response, "error", None)  # some proxies answer errors with a 200
        said = error.get("message") if isinstance(error, dict) else None
        raise TypeError(f"no choices: {said}" if isinstance(said, str) else "no choices")
    choice = choices[0]
    message = getattr(choice, "message", None)
    usage = getattr(response, "usage", None)
    return Completion(
        text=_content(message),
        model=str(getattr(response, "model", None) or asked),
        finish_reason=str(getattr(choice, "finish_reason", None) or "stop"),
        tokens=int(getattr(usage, "total_tokens", 0) or 0),
    )


def _content(message: Any) -> str:
    """The message's text. Reasoning fields (`reasoning_content`) are not the answer and stay
    out; content given as parts is joined; JSON-mode tool calls give their arguments."""
    content = getattr(message, "content", None)
    if isinstance(content, list):
        parts = [
            p.get("text") if isinstance(p, dict) else getattr(p, "text", None) for p in content
        ]
        content = "".join(p for p in parts if isinstance(p, str))
    if isinstance(content, str) and content.strip():
        return content
    calls = getattr(message, "tool_calls", None) or []
    arguments = [getattr(getattr(c, "function", None), "arguments", None) for c in calls]
    return "\n".join(a for a in arguments if isinstance(a, str))


def doctor(settings: LLMSettings) -> list[tuple[bool, str]]:
    """Checks of a model setup, each (ok, what was found in words): the server, its models,
    one tiny request. The key is only said to be set or not."""
    import openai

    where = settings.base_url or "https://api.openai.com/v1 (the default)"
    has_key = bool(os.environ.get("OPENAI_API_KEY"))
    found = [(True, f"server: {where}; OPENAI_API_KEY {'is set' if has_key else 'is not set'}")]
    client = ModelClient(replace(settings, max_retries=0))
    try:
        listed = [m.id for m in client._client.models.list()]
        known = settings.model in listed
        found.append((known, _models_line(settings.model, listed, known)))
    except openai.NotFoundError:
        found.append((True, "the server does not list its models (/v1/models); that is fine"))
    except openai.OpenAIError as exc:
        error = client._error("doctor", exc)
        found.append((False, f"{error.message.removeprefix('unit doctor: ')} ({error.hint})"))
        return found
    try:
        started = time.monotonic()
        answer = client.complete("doctor", [{"role": "user", "content": "Reply with: OK"}])
        took = time.monotonic() - started
        found.append((True, f"model {answer.model!r} answered in {took:.1f} s"))
    except WriteError as err:
        found.append((False, f"{err.message.removeprefix('unit doctor: ')} ({err.hint})"))
    return found


def _models_line(model: str, listed: Sequence[str], known: bool) -> str:
    if known:
        return f"model {model!r} is served"
    shown = ", ".join(listed[:10]) or "none"
    return f"model {model!r} is not among the server's models: {shown}"
