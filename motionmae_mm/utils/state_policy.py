# Copyright (c) OpenMMLab. All rights reserved.
"""The one way tensors go into a module: :func:`load_state` with a policy.

Every caller that loads checkpoint tensors names one policy:

* ``'exact'``: every tensor present, none extra, same shapes (``tools/
  test.py``, ``init_model``);
* ``'encoder'``: an encoder from a pretraining or fine-tuned checkpoint
  (fine-tuning and linear-probe ``Pretrained`` init, VOS, the Hugging Face
  converter). It tolerates the pooling norms one layout has and the other
  lacks (``norm.*`` / ``fc_norm.*``) and a fixed sinusoid ``pos_embed``
  buffer that is absent or of another grid (it is recomputed). A missing
  tensor is tolerated only if the module trains it: a frozen encoder (the
  linear probe, VOS) never runs with a norm it did not load.

Anything else raises one :class:`CheckpointError` line naming the keys.
"""
from dataclasses import dataclass
from typing import Callable, Dict, List, Sequence, Tuple

from torch import Tensor, nn

from .checkpoint import CheckpointError, read_checkpoint, state_dict_of

POOLING_NORMS = ('fc_norm.', 'norm.')


@dataclass(frozen=True)
class StatePolicy:
    """What a load may leave out or ignore.

    Args:
        may_miss: Key prefixes that may be absent, if the module trains
            those tensors (``requires_grad``).
        may_ignore: Key prefixes that may be extra; they are not loaded.
        fixed_pos_embed: A ``pos_embed`` buffer (the fixed sinusoid table,
            recomputed for the configured grid) may be absent or reshaped.
    """
    may_miss: Tuple[str, ...] = ()
    may_ignore: Tuple[str, ...] = ()
    fixed_pos_embed: bool = False


POLICIES: Dict[str, StatePolicy] = dict(
    exact=StatePolicy(),
    encoder=StatePolicy(POOLING_NORMS, POOLING_NORMS, True))


@dataclass
class StateCheck:
    """Keys of a state dict sorted against a module under a policy."""
    missing: List[str]
    unexpected: List[str]
    mismatched: List[str]  # 'key (checkpoint shape) vs (model shape)'
    untrained: List[str]  # tolerated as missing, but the module is frozen
    skipped: List[str]  # tolerated and not loaded


def get_policy(policy: str) -> StatePolicy:
    """The named policy; a ``ValueError`` naming the known ones."""
    if policy not in POLICIES:
        raise ValueError(f'unknown checkpoint policy {policy!r}; known: '
                         f'{", ".join(sorted(POLICIES))}')
    return POLICIES[policy]


def check_state(module: nn.Module,
                state: Dict[str, Tensor],
                policy: str = 'exact',
                within: str = '') -> StateCheck:
    """Sort ``state``'s keys against ``module`` under ``policy``.

    Args:
        module: The module to load into.
        state: The tensors, keyed as ``module.state_dict()``.
        policy: A name in :data:`POLICIES`.
        within: Where the encoder sits in ``module``'s keys (``'backbone.'``
            for a whole model); the policy's prefixes apply under it.
    """
    rules = get_policy(policy)
    own = module.state_dict()
    buffers = {name for name, _ in module.named_buffers()}
    trained = {
        name
        for name, param in module.named_parameters() if param.requires_grad
    }
    may_miss = tuple(within + p for p in rules.may_miss)
    may_ignore = tuple(within + p for p in rules.may_ignore)
    check = StateCheck([], [], [], [], [])
    for key, value in own.items():
        fixed = (
            rules.fixed_pos_embed and key == within + 'pos_embed'
            and key in buffers)
        if key not in state:
            if fixed or (key.startswith(may_miss) and key in trained):
                check.skipped.append(key)
            elif key.startswith(may_miss):
                check.untrained.append(key)
            else:
                check.missing.append(key)
        elif state[key].shape != value.shape:
            if fixed:
                check.skipped.append(key)
            else:
                check.mismatched.append(f'{key} {tuple(state[key].shape)} '
                                        f'vs {tuple(value.shape)}')
    for key in state:
        if key not in own:
            (check.skipped
             if key.startswith(may_ignore) else check.unexpected).append(key)
    return check


def describe_checkpoint(keys: Sequence[str]) -> str:
    """What kind of checkpoint the keys make, in a few words."""
    tops = sorted({k.split('.')[0] for k in keys})
    if 'cls_head' in tops:
        kind = 'a fine-tuned recognizer checkpoint'
    elif 'backbone' in tops and ({'neck', 'head'} & set(tops)):
        kind = 'a pretraining checkpoint'
    elif tops == ['backbone']:
        kind = 'an encoder-only checkpoint'
    elif any(k.startswith('fc_norm.') for k in keys):
        kind = 'a fine-tuned encoder'
    else:
        kind = 'an encoder'
    return f'{kind} ({", ".join(t + ".*" for t in tops[:4])})'


def fit_line(build: Callable[[int], str], limit: int = 267) -> str:
    """The longest ``build(n)`` (n keys listed, 3 down to 1) within
    ``limit`` (300 characters of a tool's line, less ``error: `` and the
    --traceback hint)."""
    for count in (3, 2, 1):
        message = build(count)
        if len(message) <= limit:
            return message
    return message


def _hint(check: StateCheck) -> str:
    """The fix for the first kind of problem."""
    if check.untrained:
        return ('a frozen encoder would use an untrained norm (a fine-tuned '
                'checkpoint has fc_norm.*): use the pretraining checkpoint')
    if check.mismatched:
        return 'it was trained with another architecture: use its config'
    return 'is it for another model or config?'


def state_error(check: StateCheck, module: nn.Module, keys: Sequence[str],
                source: str, policy: str) -> CheckpointError:
    """One line: the checkpoint, the module, each problem with its keys."""
    problems = [
        ('{} missing ({})', check.missing),
        ('{} unexpected ({})', check.unexpected),
        ('{} of another shape (checkpoint vs model: {})', check.mismatched),
        ('{} missing and frozen ({})', check.untrained),
    ]
    unfit = check.missing or check.unexpected
    kind = f' ({describe_checkpoint(keys)})' if unfit else ''

    def build(n: int) -> str:
        listed = '; '.join(
            template.format(len(found), ', '.join(found[:n]))
            for template, found in problems if found)
        return (f'{source}{kind} does not fit {type(module).__name__} '
                f'(policy {policy!r}): {listed}; {_hint(check)}')

    return CheckpointError(fit_line(build))


def load_state(module: nn.Module,
               state: Dict[str, Tensor],
               policy: str = 'exact',
               source: str = 'checkpoint',
               within: str = '') -> List[str]:
    """Load ``state`` into ``module`` under the named ``policy``.

    Args:
        module: The module to load into.
        state: The tensors, keyed as ``module.state_dict()``.
        policy: ``'exact'`` or ``'encoder'`` (:data:`POLICIES`).
        source: How messages name the checkpoint (its path).
        within: Where the encoder sits in ``module``'s keys.

    Returns:
        list[str]: The keys tolerated and not loaded.

    Raises:
        CheckpointError: one line naming the problem keys.
    """
    check = check_state(module, state, policy, within)
    if (check.missing or check.unexpected or check.mismatched
            or check.untrained):
        raise state_error(check, module, list(state), source, policy)
    skip = set(check.skipped)
    kept = {k: v for k, v in state.items() if k not in skip}
    module.load_state_dict(kept, strict=False)
    return check.skipped


def select_prefix(state: Dict[str, Tensor], prefix: str,
                  source: str) -> Dict[str, Tensor]:
    """The tensors under ``prefix``, prefix stripped (``'backbone.'``)."""
    if not prefix:
        return dict(state)
    prefix = prefix if prefix.endswith('.') else prefix + '.'
    found = {
        k[len(prefix):]: v
        for k, v in state.items() if k.startswith(prefix)
    }
    if not found:
        hint = ' (official VideoMAE file? convert it with ' \
            'tools/convert/videomae_to_mmaction.py)' if any(
                k.startswith('encoder.') for k in state) else ''
        raise CheckpointError(f'{source}: no key starts with {prefix!r}'
                              f'{hint}')
    return found


def load_checkpoint_state(module: nn.Module,
                          filename: str,
                          policy: str = 'exact',
                          prefix: str = '',
                          what: str = 'checkpoint') -> List[str]:
    """Read ``filename`` as data and load its ``prefix`` part under
    ``policy``; returns the keys tolerated and not loaded."""
    state = state_dict_of(read_checkpoint(filename, 'cpu', what), filename)
    return load_state(module, select_prefix(state, prefix, filename), policy,
                      filename)


def load_model_weights(model: nn.Module,
                       filename: str,
                       what: str = 'checkpoint') -> dict:
    """Load every tensor of ``model`` from ``filename`` (policy 'exact').

    A pretraining checkpoint given to a recognizer gets "fine-tune it
    first" instead of the key list.

    Returns:
        dict: The whole checkpoint (``meta`` etc.), as read.
    """
    ckpt = read_checkpoint(filename, 'cpu', what)
    state = state_dict_of(ckpt, filename)
    own = list(model.state_dict())
    kind = describe_checkpoint(list(state))
    expects = describe_checkpoint(own).split(' (', 1)[1].rstrip(')')
    if kind.startswith('a pretraining') and 'cls_head' in expects:
        heads = sorted((k for k in own if k not in state),
                       key=lambda k: not k.startswith('cls_head.'))
        name = type(model).__name__
        raise CheckpointError(
            fit_line(lambda n: (
                f'{filename}: {kind}, but {name} expects {expects} (missing '
                f'{", ".join(heads[:n])}, ...): fine-tune it first '
                '(docs/finetune.md)')))
    load_state(model, state, 'exact', str(filename))
    return ckpt
