"""Which language a report is written in, offline (py3langid: its naive Bayes model ships inside the package)."""

from __future__ import annotations

import re
import threading

# Below this share of the probability mass the guess is not worth keeping (short titles, lists of names).
MIN_CONFIDENCE = 0.5
# Fewer letters than this say nothing about the language.
MIN_LETTERS = 12
# Enough text to decide: the model's speed is linear in length, and a report's first pages settle its language.
MAX_CHARS = 20_000

# The model's labels that are not ISO 639-1 codes, mapped to the macrolanguage that has one.
_TO_ISO_639_1 = {
    "arz": "ar", "ary": "ar",  # Egyptian, Moroccan Arabic
    "uzs": "uz",  # Southern Uzbek (Arabic script, Afghanistan)
    "sdh": "ku",  # Southern Kurdish
    "yue": "zh", "wuu": "zh",  # Cantonese, Wu Chinese
    "gug": "gn",  # Paraguayan Guarani
}

_LETTER = re.compile(r"[^\W\d_]")
_identifier = None
_lock = threading.Lock()


def _model():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def detect(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short or the guess too unsure."""
    sample = text[:MAX_CHARS]
    if len(_LETTER.findall(sample[:2000])) < MIN_LETTERS:
        return None
    code, confidence = _model().classify(sample)
    if confidence < MIN_CONFIDENCE:
        return None
    code = _TO_ISO_639_1.get(code, code)
    return code if len(code) == 2 else None


def describe(code: str) -> str:
    """'ru' -> 'Russian (ru)'."""
    import pycountry

    language = pycountry.languages.get(alpha_2=code)
    return f"{language.name} ({code})" if language else code
