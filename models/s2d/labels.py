"""Per-dataset label order of the official S2D heads (index = logit position).

Sources in the official repo (MSA-LMC/S2D):
- DFEW: EmoLabel_DataSplit csvs use 0-based labels of DFEW's 1 happy .. 7 fear order.
- FERV39k: data/FERV39K/Annotation/label_index.txt (Angry 0 .. Surprise 6).
- MAFW: data/MAFW/anno/single/no_caption/id_to_calss.txt (alphabetical: Anger 0 .. Surprise 10),
  cross-checked against set_1/train.csv vs train.txt (e.g. 03747 -> 0 / anger, 05015 -> 4 / disgust).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DatasetInfo:
    key: str
    labels: tuple[str, ...]
    paper_uar_war: tuple[float, float]


DATASETS: dict[str, DatasetInfo] = {
    "dfew": DatasetInfo("dfew", ("happy", "sad", "neutral", "angry", "surprise", "disgust", "fear"),
                        (61.82, 76.03)),
    "ferv39k": DatasetInfo("ferv39k", ("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"),
                           (41.28, 52.56)),
    "mafw": DatasetInfo("mafw", ("anger", "anxiety", "contempt", "disappointment", "disgust", "fear",
                                 "happiness", "helplessness", "neutral", "sadness", "surprise"),
                        (41.86, 57.37)),
}


def dataset_info(key: str) -> DatasetInfo:
    k = key.lower()
    if k not in DATASETS:
        raise ValueError(f"unknown dataset {key!r}; choose one of {sorted(DATASETS)}")
    return DATASETS[k]
