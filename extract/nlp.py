"""The NLP layer: jieba with our user dictionary, inside spaCy's blank Chinese pipeline, with an
EntityRuler whose patterns come from rules/entities.yaml. Built once per process."""
from __future__ import annotations

import functools
import logging

import jieba
import jieba.posseg
import spacy

from . import rules


@functools.cache
def _jieba() -> None:
    jieba.setLogLevel(logging.WARNING)
    jieba.load_userdict(str(rules.path("userdict.txt")))
    for terms in rules.load("entities").values():
        for term in terms:
            jieba.add_word(term, freq=20, tag="nz")


@functools.cache
def nlp() -> spacy.language.Language:
    _jieba()
    pipeline = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = pipeline.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns([{"label": label, "pattern": term}
                        for label, terms in rules.load("entities").items() for term in terms])
    return pipeline


def words(text: str) -> list[str]:
    """jieba's words for text, with our dictionary."""
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
