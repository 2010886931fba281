# Copyright (c) OpenMMLab. All rights reserved.
"""motionmae_mm.datasets.annotation_list: the one list reader."""
import pytest

from motionmae_mm.datasets import (VIDEO_EXTS, ListEntry, find_videos,
                                   is_video_file, read_annotation_list,
                                   read_labelled_list)


def test_read_annotation_list(tmp_path):
    ann = tmp_path / 'a.txt'
    ann.write_bytes(b'a/x.mp4 3\r\n\n  \nb/y.webm\nc/z.avi 1 2\n')
    assert read_annotation_list(str(ann)) == [
        ListEntry('a/x.mp4 3', 'a/x.mp4', ('3', )),
        ListEntry('b/y.webm', 'b/y.webm', ()),
        ListEntry('c/z.avi 1 2', 'c/z.avi', ('1', '2')),
    ]
    with pytest.raises(
            FileNotFoundError,
            match=f'annotation file not found: {tmp_path}/no'):
        read_annotation_list(str(tmp_path / 'no'))


def test_read_labelled_list(tmp_path):
    ann = tmp_path / 'train.txt'
    ann.write_text('a/x.mp4 3\nb/y.mp4 0\n')
    assert read_labelled_list(
        str(ann)) == ([str(tmp_path / 'a/x.mp4'),
                       str(tmp_path / 'b/y.mp4')], [3, 0])
    assert read_labelled_list(
        str(ann), root='/r')[0] == ['/r/a/x.mp4', '/r/b/y.mp4']
    ann.write_text('a/x.mp4 3\nb/y.mp4\n')
    with pytest.raises(
            ValueError,
            match=r"train.txt: entry 2 'b/y.mp4' is not `path label`"):
        read_labelled_list(str(ann))


def test_video_files(tmp_path):
    assert VIDEO_EXTS[:3] == ('.mp4', '.avi', '.webm')
    assert is_video_file('A.MP4') and not is_video_file('a.txt')
    for name in ('b/c.mkv', 'a.mp4', 'notes.txt', 'b/d.MOV'):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b'')
    assert find_videos(str(tmp_path)) == [
        str(tmp_path / 'a.mp4'),
        str(tmp_path / 'b/c.mkv'),
        str(tmp_path / 'b/d.MOV')
    ]
    assert find_videos(
        str(tmp_path), recursive=False) == [str(tmp_path / 'a.mp4')]
