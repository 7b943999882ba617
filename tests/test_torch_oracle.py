"""PyTorch is a test-only oracle, installed by dev.py without its declared sympy dependency
(requirements-oracles.txt). These tests fail, rather than skip, when that install is broken,
so the torch comparisons elsewhere cannot all skip silently."""

import numpy as np

import lossbook as lb


def test_torch_imports_and_its_losses_run():
    import torch
    import torch.nn.functional as F

    assert torch.__version__.startswith("2.13.0")
    logits = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, -3.0]])
    target = np.array([2, 0])
    got = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(target)).item()
    assert abs(got - lb.softmax_cross_entropy(target, logits)) < 1e-12
    # the first value differs from the second: the oracle computes, it does not echo
    other = F.cross_entropy(torch.from_numpy(logits), torch.tensor([0, 0])).item()
    assert abs(other - got) > 0.1


def test_torch_bce_clamp_is_minus_100():
    import torch
    import torch.nn.functional as F

    # PyTorch's documented clamp of log at -100, which chapter 5 reproduces
    val = F.binary_cross_entropy(torch.tensor([0.0], dtype=torch.float64), torch.tensor([1.0], dtype=torch.float64))
    assert val.item() == 100.0
