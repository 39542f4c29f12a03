"""backprop_core: every number of the worked backpropagation example.

A 2-layer network (Linear + activation, Linear + softmax, cross-entropy loss) and one
gradient-descent step, with every intermediate kept under the name the article uses.
NumPy only. The site, the notebook and the tests all read their numbers from here.

    >>> from backprop_core import load_example
    >>> s = load_example("examples/default.toml").step()
    >>> s.forward.o_out, s.grads.W_ho, s.loss_after
"""

from .example import Example, ExampleError, load_example, parse_example
from .network import (
    ACTIVATIONS,
    OUTPUTS,
    Backward,
    Forward,
    GradCheck,
    HiddenWeightPath,
    Network,
    OutputWeightPath,
    Params,
    Step,
    Training,
    backward,
    forward,
    gradient_check,
    log_softmax,
    sigmoid,
    step,
    train,
    update,
)

__all__ = [
    "ACTIVATIONS", "OUTPUTS", "Backward", "Example", "ExampleError", "Forward", "GradCheck",
    "HiddenWeightPath", "Network", "OutputWeightPath", "Params", "Step", "Training",
    "backward", "forward", "gradient_check", "load_example", "log_softmax", "parse_example",
    "sigmoid", "step", "train", "update",
]
__version__ = "0.1.0"
