# Copyright (c) OpenMMLab. All rights reserved.
"""config_key: the key of the fully resolved config."""
from mmengine.config import Config

from motionmae_mm.analysis.run_cache import config_key

BASE = "schedule = dict(lr=0.1, epochs=4)\nseed = 0\n"
CHILD = "_base_ = ['./base.py']\nmodel = dict(depth=2)\n"


def _write(tmp_path, base: str = BASE, child: str = CHILD) -> str:
    (tmp_path / 'base.py').write_text(base)
    (tmp_path / 'child.py').write_text(child)
    return str(tmp_path / 'child.py')


def test_an_edit_to_a_base_changes_the_key(tmp_path):
    before = config_key(_write(tmp_path))
    after = config_key(_write(tmp_path, base=BASE.replace('0.1', '0.2')))
    assert before != after
    assert config_key(_write(tmp_path)) == before  # edit undone


def test_comments_and_formatting_keep_the_key(tmp_path):
    before = config_key(_write(tmp_path))
    reformatted = ('# the schedule\nschedule = dict(\n    epochs=4,  # short\n'
                   '    lr=0.1)\n\nseed = 0\n')
    assert config_key(_write(tmp_path, base=reformatted)) == before
    assert config_key(
        _write(tmp_path, child='# a note\n' + CHILD + '# end\n')) == before


def test_options_are_part_of_the_key(tmp_path):
    path = _write(tmp_path)
    plain = config_key(path)
    assert config_key(path, {'schedule.epochs': 8}) != plain
    assert config_key(path, {'schedule.epochs': 4}) == plain  # no change
    # a Config is keyed as its file is, and left as it was
    cfg = Config.fromfile(path)
    assert config_key(cfg) == plain
    assert config_key(cfg, {'model.depth': 3}) != plain
    assert cfg.model.depth == 2
    assert len(plain) == 16 and int(plain, 16) >= 0
