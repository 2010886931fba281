# Copyright (c) OpenMMLab. All rights reserved.
"""One-line results of the analysis tools, easy to grep and to parse."""
import json
from typing import Dict


def print_result(tool: str, res: Dict[str, object], as_json: bool) -> None:
    """Print ``res`` as JSON or as ``TOOL: key=value ...`` (floats 4 dp)."""
    if as_json:
        line = json.dumps(res)
    else:
        line = f'{tool}: ' + ' '.join(
            f'{k}={v:.4f}' if isinstance(v, float) else f'{k}={v}'
            for k, v in res.items())
    print(line, flush=True)
