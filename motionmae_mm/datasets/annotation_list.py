# Copyright (c) OpenMMLab. All rights reserved.
"""mmaction2 annotation lists: the video file types and the one list reader.

mmaction2's ``VideoDataset`` reads one video per line, ``path [label ...]``,
fields split on whitespace. Every tool of this project that reads or
searches for videos uses :data:`VIDEO_EXTS`, :func:`find_videos` and
:func:`read_annotation_list` from here, so they agree on what a video file
and a list line are.
"""
import os
import os.path as osp
from typing import List, NamedTuple, Optional, Tuple

#: File name endings (lower case) taken for videos when searching folders.
VIDEO_EXTS: Tuple[str, ...] = ('.mp4', '.avi', '.webm', '.mkv', '.mov', '.m4v',
                               '.mpg', '.mpeg', '.wmv', '.flv')


def is_video_file(name: str) -> bool:
    """Whether a file name ends with one of :data:`VIDEO_EXTS`."""
    return name.lower().endswith(VIDEO_EXTS)


def find_videos(folder: str, recursive: bool = True) -> List[str]:
    """Sorted paths of the video files in ``folder`` (symlinks followed)."""
    if not recursive:
        return sorted(
            osp.join(folder, name) for name in os.listdir(folder)
            if is_video_file(name))
    found = []
    for root, _, files in os.walk(folder, followlinks=True):
        found += [osp.join(root, f) for f in files if is_video_file(f)]
    return sorted(found)


class ListEntry(NamedTuple):
    """One non-blank line of an annotation list."""

    #: The line as written, without its line ending.
    line: str
    #: The first field (the video path as listed).
    path: str
    #: The fields after the path (labels, if any).
    fields: Tuple[str, ...]


def read_annotation_list(ann_file: str) -> List[ListEntry]:
    """Every non-blank line of an annotation list, split as mmaction2 does.

    Raises:
        FileNotFoundError: ``ann_file`` does not exist (named).
    """
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'annotation file not found: {ann_file}')
    entries = []
    with open(ann_file, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\r\n')
            if line.strip():
                fields = line.split()
                entries.append(ListEntry(line, fields[0], tuple(fields[1:])))
    return entries


def read_labelled_list(
        ann_file: str,
        root: Optional[str] = None) -> Tuple[List[str], List[int]]:
    """Paths and labels of a ``path label`` list (one label per line).

    Args:
        ann_file: The list.
        root: Folder the paths are relative to (default: the list's own
            folder, as the demo data lays them out).

    Raises:
        ValueError: a line has no label, several, or a non-integer one
            (the file and line are named).
    """
    root = osp.dirname(ann_file) if root is None else root
    videos: List[str] = []
    labels: List[int] = []
    for number, entry in enumerate(read_annotation_list(ann_file), 1):
        if len(entry.fields) != 1 or not _is_int(entry.fields[0]):
            raise ValueError(f'{ann_file}: entry {number} {entry.line!r} is '
                             'not `path label`')
        videos.append(osp.join(root, entry.path))
        labels.append(int(entry.fields[0]))
    return videos, labels


def _is_int(text: str) -> bool:
    return text.lstrip('-').isdigit()
