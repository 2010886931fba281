# Copyright (c) OpenMMLab. All rights reserved.
"""tools/visualize_reconstruction.py end to end, on a tiny model."""
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from motionmae_mm.apis import init_model
from motionmae_mm.utils import publish_checkpoint
from ..conftest import check_reconstruction_grid
from ..tool_process import run_tool

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / 'configs/demo/motionmae_vit-tiny_demo.py'
TINY_CFG = """_base_ = ['{demo}']
model = dict(
    backbone=dict(embed_dims=32, depth=1, num_heads=2),
    neck=dict(embed_dims=16, depth=1, num_heads=2))
"""


def write_video(path: Path, frames: int = 12, size: int = 64) -> None:
    """A white square moving right on grey, mp4v."""
    writer = cv2.VideoWriter(
        str(path), cv2.VideoWriter_fourcc(*'mp4v'), 10., (size, size))
    for t in range(frames):
        frame = np.full((size, size, 3), 96, np.uint8)
        frame[24:40, 4 + 3 * t:20 + 3 * t] = 255
        writer.write(frame)
    writer.release()


def tiny_setup(tmp_path: Path):
    """(config, checkpoint, video) paths of a randomly initialised model."""
    config = tmp_path / 'tiny.py'
    config.write_text(TINY_CFG.format(demo=DEMO))
    torch.manual_seed(0)
    model = init_model(str(config))
    checkpoint = tmp_path / 'tiny.pth'
    torch.save({'state_dict': model.state_dict()}, checkpoint)
    video = tmp_path / 'square.mp4'
    write_video(video)
    return config, checkpoint, video


def test_png_and_gif(tmp_path):
    config, checkpoint, video = tiny_setup(tmp_path)
    out = tmp_path / 'out' / 'recon.png'
    proc = run_tool('tools/visualize_reconstruction.py', config, checkpoint,
                    video, '--out', out, '--gif')
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert f'reconstruction: {out}' in lines
    assert f'gif: {out.with_suffix(".gif")}' in lines
    # 6 rows of 8 frames of 64 x 64 at scale 2, a 150 px label column,
    # 2 px gaps between rows
    png = cv2.imread(str(out))
    assert png.shape == (6 * 128 + 5 * 2, 150 + 8 * 128, 3)
    # pixel values of the rows: demo model, 8-px patches, tubelet 2,
    # frame-wise masking at 0.5 of the 64 patches of each time slot
    rows = check_reconstruction_grid(
        png[..., ::-1], 8, 64, 8, 2, masked_per_slot=32)
    # the original row shows the white square on grey, moving (the 8
    # sampled frames of the 12-frame video loop around)
    clip = rows['clip'].mean(-1)
    assert np.median(clip) == pytest.approx(96 / 255, abs=3 / 255)
    xs = [np.nonzero(frame > 0.9)[1].mean() for frame in clip]
    assert len({round(x) for x in xs}) > 1
    gif = Image.open(out.with_suffix('.gif'))
    assert gif.n_frames == 8
    assert gif.size == (150 + 128, 6 * 128 + 5 * 2)
    # frames differ (the square moves)
    gif.seek(0)
    first = np.asarray(gif.convert('RGB'))
    gif.seek(7)
    assert not np.array_equal(first, np.asarray(gif.convert('RGB')))


def test_safetensors_checkpoint_gives_the_same_picture(tmp_path):
    config, checkpoint, video = tiny_setup(tmp_path)
    _, twin = publish_checkpoint(str(checkpoint), str(tmp_path / 'pub.pth'))
    pictures = []
    for name, ckpt in (('pth', checkpoint), ('st', twin)):
        out = tmp_path / f'{name}.png'
        proc = run_tool('tools/visualize_reconstruction.py', config, ckpt,
                        video, '--out', out)
        assert proc.returncode == 0, proc.stderr[-3000:]
        pictures.append(cv2.imread(str(out)))
    assert np.array_equal(pictures[0], pictures[1])
    assert pictures[0].std() > 10  # a real picture, not a blank
