"""The NLP layer: jieba with our user dictionary, inside spaCy's blank Chinese pipeline, with an
EntityRuler whose patterns come from rules/entities.yaml. Built once per process."""
from __future__ import annotations

import functools
import logging
import marshal
import tempfile
from pathlib import Path

import jieba
import jieba.posseg
import regex

from . import rules


def _load_jieba_dictionary() -> None:
    """jieba reads its cached dictionary with marshal.load from a file object: 0.7 s here, most of
    a run's start-up. marshal.loads on the file's bytes gives the same dictionary in 0.2 s. Without a
    cache (first run), jieba builds and writes it as usual."""
    dt = jieba.dt
    cache = Path(dt.tmp_dir or tempfile.gettempdir()) / (dt.cache_file or "jieba.cache")
    if dt.initialized or dt.dictionary != jieba.DEFAULT_DICT or not cache.is_file():
        return
    try:
        dt.FREQ, dt.total = marshal.loads(cache.read_bytes())
        dt.initialized = True
    except (OSError, ValueError, EOFError, TypeError):
        pass  # jieba.initialize() rebuilds it


@functools.cache
def _jieba() -> None:
    jieba.setLogLevel(logging.WARNING)
    _load_jieba_dictionary()
    jieba.load_userdict(str(rules.path("userdict.txt")))
    for terms in rules.load("entities").values():
        for term in terms:
            jieba.add_word(term, freq=20, tag="nz")
    # The tagger takes our words' tags only when it first cuts a text; pos_of reads its table before
    # that, so without this a word's tag would depend on which reports came first.
    jieba.posseg.dt.makesure_userdict_loaded()


@functools.cache
def nlp() -> "spacy.language.Language":
    import spacy  # imported when first needed: half a second of start-up that many reports never use
    _jieba()
    pipeline = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = pipeline.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns([{"label": label, "pattern": term}
                        for label, terms in rules.load("entities").items() for term in terms])
    return pipeline


@functools.cache
def _entity_terms(label: str):
    return regex.compile("|".join(map(regex.escape, sorted(rules.load("entities")[label], key=len, reverse=True))))


def may_hold(label: str, text: str) -> bool:
    """Whether text contains a term of an EntityRuler label at all: when not, the pipeline cannot
    find one there either, and building a spaCy Doc can be skipped."""
    return bool(_entity_terms(label).search(text))


def words(text: str) -> list[str]:
    """jieba's words for text, with our dictionary."""
    if not text:
        return []  # often: nothing follows a count in its clause
    _jieba()
    return jieba.lcut(text)


def in_dictionary(word: str) -> bool:
    """Whether jieba knows word (rather than having guessed it from its character model)."""
    _jieba()
    return bool(jieba.dt.FREQ.get(word))


@functools.cache
def pos_of(word: str) -> str:
    """jieba's part-of-speech tag for one token: the dictionary's tag, else the tagger's guess."""
    _jieba()
    if word.isspace():
        return "x"
    tag = jieba.posseg.dt.word_tag_tab.get(word)
    if tag:
        return tag
    if word[0].isdigit():
        return "m"
    pairs = jieba.posseg.lcut(word)
    return pairs[-1].flag if pairs else "x"
