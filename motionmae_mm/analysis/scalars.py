# Copyright (c) OpenMMLab. All rights reserved.
"""Read mmengine's scalar logs (``<run>/vis_data/scalars.json``)."""
import json
import sys
from typing import Dict, List


def read_scalars(logs: List[str],
                 keys: List[str]) -> Dict[str, Dict[int, float]]:
    """Per key, {step: value}; later logs override repeated steps."""
    curves: Dict[str, Dict[int, float]] = {key: {} for key in keys}
    for log in logs:
        with open(log) as f:
            for num, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:  # e.g. a run killed mid-write
                    print(
                        f'warning: {log}:{num} is not JSON, skipped',
                        file=sys.stderr)
                    continue
                if 'step' not in record:
                    continue
                for key in keys:
                    if isinstance(record.get(key), (int, float)):
                        curves[key][int(record['step'])] = float(record[key])
    return curves
