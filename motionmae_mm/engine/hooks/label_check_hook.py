# Copyright (c) OpenMMLab. All rights reserved.
"""Check annotation labels against the classifier before any step runs."""
from typing import Iterator, Optional, Tuple

from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop


def _num_classes(runner) -> Optional[int]:
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    head = getattr(model, 'cls_head', None)
    return getattr(head, 'num_classes', None)


def _datasets(runner) -> Iterator[Tuple[str, object]]:
    """``(config key, dataset)`` of every loop the runner has built."""
    for key in ('train', 'val', 'test'):
        loop = getattr(runner, f'_{key}_loop', None)
        if isinstance(loop, BaseLoop):
            dataset = loop.dataloader.dataset
            while not hasattr(dataset, 'ann_file') and hasattr(
                    dataset, 'dataset'):  # RepeatAugDataset and friends
                dataset = dataset.dataset
            yield f'{key}_dataloader.dataset', dataset


@HOOKS.register_module()
class MotionMAELabelCheckHook(Hook):
    """Fail early, on one line, when labels and the classifier disagree.

    Before the run (after the dataloaders and the model exist, before the
    pretrained weights load) every label of every built train / val / test
    set must be in ``[0, model.cls_head.num_classes)``, and batch blending
    (mixup / cutmix) must use the same class count. Errors name the
    annotation file and line, or the config key. Multi-label sets
    (``multi_class=True``) are checked label by label.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        num_classes = _num_classes(runner)
        if num_classes is None:
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        blending = getattr(model.data_preprocessor, 'blending', None)
        for i, aug in enumerate(getattr(blending, 'augments', [blending])):
            n = getattr(aug, 'num_classes', num_classes)
            if n != num_classes:
                raise ValueError(
                    f'model.data_preprocessor.blending.augments[{i}]'
                    f'.num_classes={n} but model.cls_head.num_classes='
                    f'{num_classes}')
        for key, dataset in _datasets(runner):
            self.check_dataset(dataset, key, num_classes)

    @staticmethod
    def check_dataset(dataset, key: str, num_classes: int) -> None:
        """Raise ``ValueError`` naming ``ann_file:line`` on a bad label."""
        if not hasattr(dataset, 'get_data_info'):
            return
        dataset.full_init()
        ann = getattr(dataset, 'ann_file', key)
        for index in range(len(dataset)):
            line = index + 1  # VideoDataset keeps one entry per line
            labels = dataset.get_data_info(index).get('label')
            if labels is None:
                continue
            for label in labels if isinstance(labels, list) else [labels]:
                if label == -1:
                    raise ValueError(
                        f'{ann}:{line}: no label (needed for {key}; '
                        'expected "path label")')
                if not 0 <= label < num_classes:
                    raise ValueError(
                        f'{ann}:{line}: label {label} outside [0, '
                        f'{num_classes}) (model.cls_head.num_classes='
                        f'{num_classes})')
