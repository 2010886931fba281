# Copyright (c) OpenMMLab. All rights reserved.
"""Feature extraction on real clips equals the encoder's own features."""
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.dataset import Compose
from safetensors.numpy import save_file

from motionmae_mm.apis import (extract_features, feature_extraction,
                               init_model, load_features)
from motionmae_mm.utils.cli import UserError
from ..conftest import REPO
from ..tools.test_visualize import tiny_setup
from ..tool_process import run_tool

VIDEOS = ('mmaction2_tests_data_test.mp4', 'mmaction2_demo_3s_vp9.webm')


def _own_tokens(model, video: Path, clips: int, crops: int) -> torch.Tensor:
    """Final-norm tokens of every view through the encoder's masked path
    with nothing masked (mmaction2's transforms written out here)."""
    size = model.backbone.grid_size[0] * model.backbone.patch_size
    pipeline = Compose([
        dict(type='DecordInit'),
        dict(
            type='SampleFrames',
            clip_len=model.backbone.num_frames,
            frame_interval=2,
            num_clips=clips,
            test_mode=True),
        dict(type='DecordDecode'),
        dict(type='Resize', scale=(-1, size)),
        dict(type='ThreeCrop', crop_size=size) if crops == 3 else dict(
            type='CenterCrop', crop_size=size),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ])
    data = pipeline(dict(filename=str(video), start_index=0, modality='RGB'))
    views = model.data_preprocessor(
        dict(inputs=[data['inputs']],
             data_samples=[data['data_samples']]))['inputs'][0]
    assert views.shape[0] == clips * crops
    nothing = torch.zeros(
        views.shape[0], model.backbone.pos_embed.shape[1], dtype=torch.bool)
    with torch.no_grad():
        tokens = model.backbone(views, nothing)
        # the model's own clip features are the same thing, pooled
        torch.testing.assert_close(
            model(views[:, None], mode='tensor'), tokens.mean(1), rtol=1e-5,
            atol=1e-5)
    return tokens


@pytest.fixture
def setup(shared_videos, tmp_path):
    """Tiny random model, a list of two real clips, a corrupt, a missing."""
    config, checkpoint, _ = tiny_setup(tmp_path)
    (tmp_path / 'bad.mp4').write_bytes(b'not a video' * 64)
    ann = tmp_path / 'list.txt'
    ann.write_text(''.join(f'{shared_videos}/{v} 0\n' for v in VIDEOS) +
                   f'{tmp_path}/bad.mp4 1\n{tmp_path}/gone.mp4\n')
    model = init_model(str(config), str(checkpoint))
    return model, ann, config, checkpoint


def test_features_equal_the_encoders_own(setup, shared_videos, tmp_path):
    model, ann, _, _ = setup
    out, tok = tmp_path / 'f.safetensors', tmp_path / 't.safetensors'
    report = extract_features(
        model, str(ann), str(out), clips=2, crops=3, frame_interval=2,
        batch_size=2, progress=False)
    good = [str(shared_videos / v) for v in VIDEOS]
    assert report['done'] == good and report['skipped'] == []
    assert [f.split(': ')[0] for f in report['failed']
            ] == [f'{tmp_path}/bad.mp4', f'{tmp_path}/gone.mp4']
    extract_features(
        model, str(ann), str(tok), clips=2, crops=3, frame_interval=2,
        tokens=True, progress=False)
    pooled, tokens = load_features(str(out)), load_features(str(tok))
    assert sorted(pooled) == sorted(good) == sorted(tokens)
    assert not (tmp_path / 'f.safetensors.parts').exists()
    for video in good:
        own = _own_tokens(model, Path(video), clips=2, crops=3)
        assert pooled[video].shape == (6, 32)
        torch.testing.assert_close(
            torch.from_numpy(pooled[video]), own.mean(1), rtol=1e-5,
            atol=1e-5)
        torch.testing.assert_close(
            torch.from_numpy(tokens[video]), own, rtol=1e-5, atol=1e-5)
    # the views differ (clips and crops are not copies of one another)
    assert not torch.allclose(
        torch.from_numpy(pooled[good[0]][0]),
        torch.from_numpy(pooled[good[0]][1]))


def test_interrupted_run_resumes(setup, shared_videos, tmp_path,
                                 monkeypatch):
    model, ann, _, _ = setup
    out = tmp_path / 'f.safetensors'
    real = feature_extraction.encode_views
    calls = []

    def stop_at_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the job is killed mid-list
        return real(*args, **kwargs)

    monkeypatch.setattr(feature_extraction, 'encode_views', stop_at_second)
    with pytest.raises(KeyboardInterrupt):
        extract_features(model, str(ann), str(out), batch_size=1,
                         frame_interval=2, progress=False)
    assert not out.exists() and len(os.listdir(f'{out}.parts')) == 1
    monkeypatch.setattr(feature_extraction, 'encode_views', real)
    report = extract_features(model, str(ann), str(out), batch_size=1,
                              frame_interval=2, progress=False)
    first, second = (str(shared_videos / v) for v in VIDEOS)
    assert report['skipped'] == [first] and report['done'] == [second]
    again = extract_features(model, str(ann), str(out), frame_interval=2,
                             progress=False)
    assert again['done'] == [] and again['skipped'] == [first, second]
    feats = load_features(str(out))
    torch.testing.assert_close(
        torch.from_numpy(feats[first]),
        _own_tokens(model, Path(first), 1, 1).mean(1), rtol=1e-5, atol=1e-5)


def test_tool(setup, shared_videos, tmp_path):
    _, ann, config, checkpoint = setup
    proc = run_tool(REPO / 'tools/extract_features.py', config, checkpoint,
                    ann, '--out', 'feats.safetensors', '--no-progress',
                    cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    lines = lines[next(i for i, line in enumerate(lines)
                       if line.startswith('features of')):]  # after logs
    assert lines[:2] == [
        'features of 2 video(s) extracted, 0 already done -> '
        'feats.safetensors',
        '2 video(s) could not be read:'
    ]
    assert lines[2].startswith(f'  {tmp_path}/bad.mp4: ')
    assert lines[3].startswith(f'  {tmp_path}/gone.mp4: ')
    assert len(lines) == 4 and 'Traceback' not in proc.stderr
    assert sorted(load_features(str(tmp_path / 'feats.safetensors'))) == \
        sorted(str(shared_videos / v) for v in VIDEOS)


class _Planted:
    """Unpickling this creates ``marker``: proof that a file was loaded."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, 'w')


def test_tool_refuses_a_planted_pickle_in_one_line(tmp_path):
    config, checkpoint, video = tiny_setup(tmp_path)
    ann = tmp_path / 'list.txt'
    ann.write_text(f'{video} 0\n')
    marker, out = tmp_path / 'ran', tmp_path / 'feats.safetensors'
    planted = pickle.dumps({str(video): _Planted(marker)})
    out.write_bytes(planted)
    proc = run_tool('tools/extract_features.py', config, checkpoint, ann,
                    '--out', out, '--no-progress')
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if 'error' in ln.lower()]
    assert errors == [
        f'error: {out}: not a features file written by extract_features '
        '(safetensors); pass a new --out or delete this file'
    ]
    assert proc.stderr.strip().splitlines()[-1] == errors[0]
    assert not marker.exists() and out.read_bytes() == planted
    assert not Path(f'{out}.parts').exists()


def test_out_must_be_ours_and_safetensors(tmp_path):
    config, checkpoint, video = tiny_setup(tmp_path)
    model = init_model(str(config), str(checkpoint))
    ann = tmp_path / 'list.txt'
    ann.write_text(f'{video} 0\n')
    foreign = tmp_path / 'foreign.safetensors'
    save_file({str(video): np.zeros((1, 32), np.float32)}, str(foreign))
    with pytest.raises(UserError, match='not a features file written by'):
        extract_features(model, str(ann), str(foreign), progress=False)
    with pytest.raises(UserError, match=r'name the file \*\.safetensors'):
        extract_features(model, str(ann), str(tmp_path / 'f.pkl'),
                         progress=False)
    assert sorted(os.listdir(tmp_path)) == [
        'foreign.safetensors', 'list.txt', 'square.mp4', 'tiny.pth', 'tiny.py'
    ]
    # a file it wrote is resumed: the one video is skipped, not redone
    out = tmp_path / 'f.safetensors'
    first = extract_features(model, str(ann), str(out), progress=False)
    again = extract_features(model, str(ann), str(out), progress=False)
    assert (first['done'], again['skipped']) == ([str(video)], [str(video)])
    feats = load_features(str(out))
    assert list(feats) == [str(video)] and feats[str(video)].shape == (1, 32)
