# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The step in code
#
# This page is a Jupyter notebook, run when the site is built, on the same example file
# as the article. It does not re-implement anything: every number comes from
# `backprop_core`, the engine behind the article, called one pass at a time. So the
# numbers below are the article's values, printed at the example's display precision
# (where an article page writes a value with extra digits, so that its lines stay
# calculator-true, this page still prints it at the display precision, without them),
# and a test checks that they agree.
#
# To run it yourself, install the project and open
# [`notebook.py`](notebook.py) (a jupytext notebook, published next to this
# page) in Jupyter. Set `BACKPROP_EXAMPLE` to use another example file.

# %%
import os
from pathlib import Path

import numpy as np

import backprop_core as bp

# The site build names the example in BACKPROP_EXAMPLE. Jupyter starts
# in the notebook's folder, the build in the project's: look upwards.
name = os.environ.get("BACKPROP_EXAMPLE", "examples/default.toml")
folders = [Path.cwd(), *Path.cwd().parents]
found = [f / name for f in folders if (f / name).is_file()]
path = found[0] if found else Path(name)

example = bp.load_example(path)
net, params = example.network, example.params
x, y, eta = example.x, example.y, example.learning_rate
print(example.title)
print(example.sizes, net)

# %% [markdown]
# Every number below is printed as the article writes it, by the engine's
# own rule (`backprop_core.precision`): rounded to the example's decimals,
# halfway away from zero; an exact value in its short form, without
# trailing zeros (so that trailing zeros always mean "rounded"); a tiny one
# with significant digits and a power of ten (the `e-5` form Python
# prints), never as a row of zeros.

# %%
from backprop_core import precision


def show(name, value):
    """Print one labelled value, every number as the article writes it."""
    value = np.asarray(value, dtype=float)
    text = np.array2string(
        value, separator=", ", prefix=f"{name} = ", max_line_width=72,
        formatter={"float_kind": lambda v: precision.text(v, example.decimals)})
    print(f"{name} = {text}")


show("x", x)
show("y", y)
show("learning_rate", eta)

# %% [markdown]
# ## The parameters
#
# Rows of `W_ih` are inputs and its columns hidden units; rows of `W_ho` are hidden units
# and its columns outputs, so a row of examples flows left to right:
# $h_{in} = x W_{ih} + b_h$.

# %%
for name, value in params.items():
    show(name, value)

# %% [markdown]
# ## Forward pass
#
# `bp.forward` returns every intermediate value of the pass, named as in the article:
# $h_{out} = \sigma(h_{in})$ for a sigmoid hidden layer, then $o_{in} = h_{out} W_{ho} + b_o$
# and $o_{out} = \operatorname{softmax}(o_{in})$ (or the example's own choices).

# %%
fwd = bp.forward(net, params, x, y)
for name in ("h_in", "h_out", "o_in", "o_out"):
    show(name, getattr(fwd, name))

# %% [markdown]
# ## The loss
#
# With softmax outputs the loss is the cross-entropy averaged over the $m$ examples,
# $E = -\frac{1}{m}\sum_n \sum_c y^{(n)}_c \ln o^{(n)}_{out,c}$.

# %%
show("E", fwd.loss)

# %% [markdown]
# ## Backward pass
#
# `bp.backward` reads the forward pass (it recomputes nothing) and returns each stage of
# the chain rule, output to input. Its names say what each value is the gradient of:
# `dE_do_in` is $\partial E / \partial o_{in}$.

# %%
bwd = bp.backward(net, params, x, y, fwd)
for name in ("dE_do_out", "dE_do_in", "dE_dW_ho", "dE_db_o",
             "dE_dh_out", "dh_out_dh_in", "dE_dh_in",
             "dE_dW_ih", "dE_db_h"):
    show(name, getattr(bwd, name))

# %% [markdown]
# Central finite differences agree with these gradients: nudge each parameter by
# $\pm\varepsilon$, and compare $\frac{E(\theta+\varepsilon) - E(\theta-\varepsilon)}
# {2\varepsilon}$ with the analytic value.

# %%
check = bp.gradient_check(net, params, x, y)
print(f"largest relative error: {check.max_rel_error:.1e}")

# %% [markdown]
# ## The update
#
# One step of gradient descent, $\theta^{+} = \theta - \eta\,\partial E/\partial\theta$
# (a $^{+}$ marks a value after the update),
# then the forward pass again with the new parameters.

# %%
new = bp.update(net, params, bwd.grads, eta)
for name, value in new.items():
    show(f"{name}⁺", value)
after = bp.forward(net, new, x, y)
show("E after the step", after.loss)

# %% [markdown]
# ## A short training run
#
# The same step, repeated: `bp.train` runs plain gradient descent for the example's
# `train_steps` and records the loss before every step and after the last.

# %%
run = bp.train(net, params, x, y, eta, example.train_steps)
steps = example.train_steps
for t in sorted({0, 1, steps // 4, steps // 2, steps}):
    show(f"E after {t} step{'s' * (t != 1)}", run.losses[t])
