# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Convolutions in Python
#
# Welcome! In this notebook you apply **convolutions** to photos yourself, with Python and the
# **convolab** library. A convolution slides a **filter** (a small grid of numbers) over a
# photo. At every position you multiply the pixels under the filter by the filter's numbers
# and add everything up. That gives you one new pixel.
#
# **How a notebook works**: a grey box is code. Click in it and press **Shift + Enter** to
# run it. Run the boxes from top to bottom.
#
# After each part there is an **✏️ Exercise**. You write your answer in the empty code box
# below it.
#
# **Time**: about 60 minutes, or two half lessons. A part with **Going further** in its title
# may be skipped; it does not count in that time.
#
# What you will learn:
# 1. Loading and showing photos
# 2. Finding edges
# 3. Vertical and horizontal lines
# 4. Diagonals
# 5. Blurring, blurring and then edges, sharpening
# 6. Ready-made filters (with a drop-down list and your own filter)
# 7. Convolution or correlation? Rotating the filter by 180°, worked out by hand
# 8. The border of the photo and the size of the result
# 9. Your own photo
# 10. The layer that learns its own filter
# 11. Signals: heartbeat and prices
#
# **Sources and licence.** This notebook follows the structure and the 15 filters of the KIKS
# notebook "Convolutie" by Francis wyffels and Natacha Gesquière (Dwengo vzw, KIKS project),
# shared under [CC BY-NC-SA 4.0](https://creativecommons.org/licenses/by-nc-sa/4.0/). So this
# notebook is **CC BY-NC-SA 4.0** too: you may share and adapt it, not commercially, crediting
# the authors and under the same licence. The code of the convolab library itself is MIT. The
# photos come from scikit-image: the cameraman, the bricks and the grass (CC0), the coins
# (Brooklyn Museum, no known restrictions), the rocket (SpaceX, public domain) and the
# astronaut (NASA, public domain). The heart recording is from the MIT-BIH Arrhythmia Database
# (PhysioNet, ODC-By 1.0), the prices from vega_datasets (MIT).

# %% [markdown] tags=["teacher-note"]
# > **Teacher version.** This notebook is the same as the pupils' one, but the exercise code
# > boxes contain an answer, explained in comments. A box with `assert` checks the answer: the
# > notebook only runs without errors when every answer is right.

# %% [markdown]
# First we load the libraries and make a helper function `show` that shows photos side by
# side.

# %%
import matplotlib.pyplot as plt
import numpy as np

import convolab as cl

LANG = "en"  # the language of convolab's names and explanations


def show(*images, titles=None, mapping="clip", size=4):
    """Show photos side by side. A raw result first becomes pixels from 0 to 255."""
    mappings = mapping if isinstance(mapping, (list, tuple)) else [mapping] * len(images)
    fig, axes = plt.subplots(1, len(images), figsize=(size * len(images), size), squeeze=False)
    for i, (ax, img) in enumerate(zip(axes[0], images, strict=True)):
        img = np.asarray(img)
        if img.dtype != np.uint8:
            img = cl.to_display(img, mappings[i])
        if img.ndim == 2:
            ax.imshow(img, cmap="gray", vmin=0, vmax=255)
        else:
            ax.imshow(img)
        if titles:
            ax.set_title(titles[i])
        ax.axis("off")
    plt.show()


def grid_text(grid):
    """The numbers of a filter as text, row by row."""
    if isinstance(grid, cl.Kernel):
        grid = grid.cells()
    rows = np.asarray(grid, dtype=object)
    return "\n".join(
        " ".join(f"{v:>6}" if isinstance(v, str) else f"{v:>6g}" for v in row) for row in rows
    )


def print_grid(grid):
    """Print a grid of numbers neatly."""
    print(grid_text(grid))


def step_text(step):
    """One step as text: window (input) × filter = products, and the sum."""
    blocks = [grid_text(a).split("\n") for a in (step.window, step.kernel, step.products)]
    rows = ["   ".join(parts) for parts in zip(*blocks, strict=True)]
    head = "window (input)   ×   filter   =   products"
    return "\n".join([head, *rows, f"sum = {step.sum:g}  →  pixel {int(step.value)}"])


# %% [markdown]
# ## 1. Loading and showing photos
#
# To a computer, a greyscale photo is a **grid of numbers**: one number per pixel, from
# **0 (black)** to **255 (white)**. convolab comes with a few real photos. Here they are:

# %%
for s in cl.samples():
    print(f"{s.id:10} {s.name_nl if LANG == 'nl' else s.name_en}")

# %% [markdown]
# We load the photo of the cameraman (`"camera"`). `shape` tells how many rows and columns
# of pixels it has. Then we print a small piece of 5 by 5 pixels: they really are just
# numbers.

# %%
photo = cl.sample("camera")
print(photo.shape, photo.dtype)
print(photo[200:205, 200:205])
show(photo)

# %% [markdown]
# Three more photos: bricks, coins and a rocket. We turn a colour photo grey with
# `grey=True`.

# %%
bricks = cl.sample("brick")
coins = cl.sample("coins")
rocket = cl.sample("rocket", grey=True)
show(bricks, coins, rocket, titles=["bricks", "coins", "rocket"])

# %% [markdown] tags=["exercise"]
# ### ✏️ Exercise 1
# Load the photo `"astronaut"` in greyscale. How many rows and columns does it have? What is
# the value of the pixel in row 100, column 200? Is that pixel rather light or rather dark?

# %% tags=["answer", "exercise-1", "pupil"]
# Exercise 1: write your code here.
astronaut = None  # replace None by cl.sample(...)

# %% tags=["answer", "exercise-1", "teacher"]
# Exercise 1: a possible answer.
astronaut = cl.sample("astronaut", grey=True)
print(astronaut.shape)  # (512, 512): 512 rows and 512 columns
print(astronaut[100, 200])  # above 128 is rather light, below 128 rather dark
show(astronaut)
assert astronaut.shape == (512, 512)

# %% [markdown]
# ## 2. Edges
#
# This filter finds **edges**: places where a pixel differs from its neighbours. The centre
# counts 8 times, each of the 8 neighbours counts −1. If everything around a pixel is equally
# light, the sum is 0. At an edge the sum is large.
#
# `cl.correlate(photo, filter)` slides the filter over the whole photo.

# %%
edge = cl.kernel("edge")
print(edge.name(LANG), "-", edge.about(LANG))
print_grid(edge)
edges = cl.correlate(photo, edge)
print("smallest value:", edges.min(), " largest value:", edges.max())
show(photo, edges, titles=["photo", "edges"])

# %% [markdown]
# The result also contains **negative numbers** and numbers **above 255**. A pixel cannot
# show that. There are several ways to turn them into pixels anyway:
# - `"clip"`: everything below 0 becomes 0 (black), everything above 255 becomes 255 (white).
#   That is what you did above.
# - `"abs"`: we drop the minus sign, so negative edges become light too.
# - `"offset"`: 0 becomes mid-grey; positive is lighter, negative is darker. The largest
#   value (here 1001) becomes white. Most edges are much weaker, so they end up only a little
#   lighter or darker than grey. With `value_range=(-200, 200)` 200 already becomes white and
#   -200 black: then you see the weaker edges too.

# %%
OFFSET_200 = "offset, up to ±200"
strong = cl.to_display(edges, "offset", value_range=(-200, 200))
show(
    edges,
    edges,
    edges,
    strong,
    mapping=["clip", "abs", "offset", "offset"],
    titles=["clip", "abs", "offset", OFFSET_200],
)

# %% [markdown] tags=["exercise"]
# ### ✏️ Exercise 2
# Add up all the numbers of the edge filter with code (`edge.values.sum()`). Explain why a
# plain part of a photo (the same grey value everywhere) turns black. Then try the filter on
# the coins (`coins`).

# %% tags=["answer", "exercise-2", "pupil"]
# Exercise 2: write your code here. Write your explanation as a comment, after a #.


# %% tags=["answer", "exercise-2", "teacher"]
# Exercise 2: a possible answer.
print(edge.values.sum())  # 0
# In a plain area all 9 pixels are equal, say p. The sum is 8·p − 8·p = 0: black.
flat = np.full((5, 5), 100)
print(cl.correlate(flat, edge, padding="valid"))  # all 0
assert edge.values.sum() == 0
assert np.all(cl.correlate(flat, edge, padding="valid") == 0)
show(coins, cl.correlate(coins, edge), mapping="abs", titles=["coins", "edges"])

# %% [markdown]
# ## 3. Vertical and horizontal lines
#
# Every row of this filter holds `-1 0 1`: the pixel **on the right minus the pixel on the
# left**. If the photo gets lighter from left to right, the result is positive. If it gets
# darker, it is negative. That is how you find **vertical** lines.
#
# With `"offset"` you see both: lighter than grey is positive, darker is negative.

# %%
vertical = np.array(
    [
        [-1, 0, 1],
        [-1, 0, 1],
        [-1, 0, 1],
    ]
)
show(
    bricks,
    cl.correlate(bricks, vertical),
    mapping=["clip", "offset"],
    titles=["bricks", "vertical lines"],
)

# %% [markdown] tags=["exercise"]
# ### ✏️ Exercise 3
# Make a filter that finds **horizontal** lines yourself. Tip: turn the filter for vertical
# lines a quarter turn. Fill in the numbers and run the box.

# %% tags=["answer", "exercise-3", "pupil"]
# Exercise 3: fill in the right numbers.
horizontal = np.array(
    [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
    ]
)
show(bricks, cl.correlate(bricks, horizontal), mapping=["clip", "offset"])

# %% tags=["answer", "exercise-3", "teacher"]
# Exercise 3: below minus above. (+1 above and -1 below works too: light and dark swap.)
horizontal = np.array(
    [
        [-1, -1, -1],
        [0, 0, 0],
        [1, 1, 1],
    ]
)
show(bricks, cl.correlate(bricks, horizontal), mapping=["clip", "offset"])
# It is the filter "horizontal-lines" from convolab's list:
assert np.array_equal(horizontal, cl.kernel("horizontal-lines").values)

# %% [markdown]
# ## 4. Diagonals
#
# These two filters compare two corners of the 3 × 3 window: top left with bottom right, or
# top right with bottom left. That makes **slanted** edges stand out.

# %%
down = cl.kernel("diagonal-down")
up = cl.kernel("diagonal-up")
print_grid(down)
print()
print_grid(up)
show(
    photo,
    cl.correlate(photo, down),
    cl.correlate(photo, up),
    mapping="offset",
    titles=["photo", down.name(LANG), up.name(LANG)],
)

# %% [markdown] tags=["exercise"]
# ### ✏️ Exercise 4
# Make a diagonal filter with −1 and 1 instead of −5 and 5. Compare the numbers of both
# results. What do you see with `"offset"`? And with `"clip"`?

# %% tags=["answer", "exercise-4", "pupil"]
# Exercise 4: fill in the right numbers.
small = np.array(
    [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
    ]
)
show(cl.correlate(photo, down), cl.correlate(photo, small), mapping="offset")

# %% tags=["answer", "exercise-4", "teacher"]
# Exercise 4: every number of the result becomes 5 times smaller.
small = np.array(
    [
        [-1, 0, 0],
        [0, 0, 0],
        [0, 0, 1],
    ]
)
show(cl.correlate(photo, down), cl.correlate(photo, small), mapping="offset")
assert np.allclose(cl.correlate(photo, down), 5 * cl.correlate(photo, small))
# With "offset" both look the same: the largest value always becomes white or black.
# With "clip" the small filter is much weaker: most values stay close to 0 (black).
show(cl.correlate(photo, down), cl.correlate(photo, small), mapping="clip")

# %% [markdown]
# ## 5. Blurring, blurring and then edges, sharpening
#
# This filter takes a **weighted average**: the pixel itself counts 5 times, each neighbour
# once. Together that is 13, so we divide by 13. Small details (and noise) get smeared out.

# %%
smooth = cl.kernel("smooth")
print_grid(smooth)
show(
    photo,
    cl.correlate(photo, smooth),
    cl.correlate(photo, cl.gaussian(9, 2.0)),
    titles=["photo", "smoothed", "stronger: gaussian(9, 2)"],
)

# %% [markdown]
# A photo with **noise** (small random specks, like a photo taken in the dark) gives small
# edges everywhere. If you smooth first, mostly the real edges are left.

# %%
rng = np.random.default_rng(0)
noisy = np.clip(photo + rng.normal(0, 20, photo.shape), 0, 255).astype(np.uint8)
edges_noisy = cl.correlate(noisy, "edge")
edges_smoothed = cl.correlate(cl.correlate(noisy, smooth), "edge")
show(
    noisy,
    edges_noisy,
    edges_smoothed,
    mapping="abs",
    titles=["with noise", "edges", "smoothed first, then edges"],
)

# %% [markdown]
# **Sharpening** does the opposite: 5 times the pixel minus its 4 neighbours. That is the
# pixel itself plus how much it differs from its neighbours. Differences grow, details get
# sharper. We zoom in on the face and the camera.

# %%
sharpen = cl.kernel("sharpen")
print_grid(sharpen)
zoom = photo[60:230, 160:330]
show(zoom, cl.correlate(zoom, sharpen), titles=["photo", "sharpened"])

# %% [markdown] tags=["exercise"]
# ### ✏️ Exercise 5
# Why do we divide by 13 in the smoothing filter? What happens if you forget? Try it with the
# filter `[[1, 1, 1], [1, 5, 1], [1, 1, 1]]`.

# %% tags=["answer", "exercise-5", "pupil"]
# Exercise 5: write your code here. Write your explanation as a comment, after a #.


# %% tags=["answer", "exercise-5", "teacher"]
# Exercise 5: the weights add up to 13. Dividing by 13 makes it an average, so the photo
# stays just as light. Without dividing, every pixel gets about 13 times lighter: almost
# everything goes above 255 and turns white.
not_divided = cl.correlate(photo, [[1, 1, 1], [1, 5, 1], [1, 1, 1]])
show(photo, not_divided, titles=["photo", "not divided by 13"])
print("mean photo:", photo.mean(), " without dividing:", not_divided.mean())
assert smooth.values.sum() == 1
assert abs(not_divided.mean() / cl.correlate(photo, smooth).mean() - 13) < 1e-9

# %% [markdown]
# ## 6. Ready-made filters
#
# convolab knows a whole list of filters, each with a name and a short explanation. You use
# them by name, for example `cl.kernel("sobel-x")` or straight away
# `cl.correlate(photo, "sobel-x")`.

# %%
for k in cl.kernels():
    print(f"{k.id:18} {k.name(LANG):26} {k.about(LANG)}")

# %% [markdown]
# All filters on a piece of the photo. Each filter uses the way of showing that suits it
# (`k.display`): edge filters for example with `"abs"` or `"offset"`.

# %%
piece = photo[40:296, 120:376]
all_filters = cl.kernels()
cols = 6
rows = (len(all_filters) + cols - 1) // cols
fig, axes = plt.subplots(rows, cols, figsize=(1.8 * cols, 2.1 * rows))
for ax in axes.flat:
    ax.axis("off")
for ax, k in zip(axes.flat, all_filters, strict=False):
    ax.imshow(cl.to_display(cl.correlate(piece, k), k.display), cmap="gray", vmin=0, vmax=255)
    ax.set_title(k.name(LANG), fontsize=8)
fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.95, wspace=0.05, hspace=0.3)
plt.show()

# %% [markdown]
# ### Choose a filter
# Choose a filter in the drop-down list (with the mouse, or with Tab and the arrow keys). The
# photo is computed again straight away.

# %%
import html

import ipywidgets as widgets
from IPython.display import display

from convolab.errors import message

filter_choice = widgets.Dropdown(
    options=[(f"{k.name(LANG)} ({k.id})", k.id) for k in cl.kernels()],
    value="edge",
    description="Filter:",
)
filter_info = widgets.Label()
filter_grid = widgets.HTML()
filter_photo = widgets.Image(value=cl.encode_image(piece), format="png", width=256)
filter_result = widgets.Image(format="png", width=256)


def update_filter(change=None):
    k = cl.kernel(filter_choice.value)
    filter_info.value = k.about(LANG)
    filter_grid.value = f"<pre>{html.escape(grid_text(k))}</pre>"
    filter_result.value = cl.encode_image(cl.correlate(piece, k), mapping=k.display)


filter_choice.observe(update_filter, names="value")
display(filter_choice, filter_info, widgets.HBox([filter_grid, filter_photo, filter_result]))
update_filter()

# %% [markdown]
# ### Make your own filter
# Type a filter in the text box: the rows below each other (or separated by `;`), the numbers
# separated by spaces. Fractions are fine too, like `1/9`. Then click outside the box or
# press Tab.

# %%
kernel_text = widgets.Textarea(
    value="0 -1 0\n-1 5 -1\n0 -1 0",
    description="Your filter:",
    rows=5,
    continuous_update=False,
)
display_choice = widgets.Dropdown(options=list(cl.MAPPINGS), value="clip", description="Show:")
kernel_message = widgets.Label()
kernel_result = widgets.Image(format="png", width=256)


def update_kernel(change=None):
    try:
        k = cl.parse_kernel(kernel_text.value)
        result = cl.correlate(piece, k)
    except (ValueError, TypeError) as error:
        kernel_message.value = f"That does not work yet: {message(error, LANG)}"
        return
    kernel_message.value = f"Filter of {k.shape[0]} × {k.shape[1]}, sum of the numbers {k.sum():g}"
    kernel_result.value = cl.encode_image(result, mapping=display_choice.value)


kernel_text.observe(update_kernel, names="value")
display_choice.observe(update_kernel, names="value")
display(kernel_text, display_choice, kernel_message, widgets.HBox([filter_photo, kernel_result]))
update_kernel()

# %% [markdown] tags=["exercise"]
# ### ✏️ Exercise 6
# Which filter shows the edges of the coins best? Try at least three, with the drop-down list
# or with code. Then apply two filters **one after the other**: first one, then the other on
# that result.

# %% tags=["answer", "exercise-6", "pupil"]
# Exercise 6: write your code here. Write your explanation as a comment, after a #.


# %% tags=["answer", "exercise-6", "teacher"]
# Exercise 6: there is no single right answer. Sobel right and Sobel bottom each find
# one direction; together (the length of the two) they find all edges.
gx = cl.correlate(coins, "sobel-x")
gy = cl.correlate(coins, "sobel-y")
strength = np.hypot(gx, gy)
show(
    cl.correlate(coins, "edge"),
    gx,
    gy,
    strength,
    mapping=["abs", "offset", "offset", "clip"],
    titles=["edges", "Sobel right", "Sobel bottom", "together"],
    size=3,
)
# One after the other: first Gaussian blur, then edges: less noise, the coins remain.
show(cl.correlate(cl.correlate(coins, "gaussian-5"), "edge"), mapping="abs", size=3)

# %% [markdown]
# ## 7. Convolution or correlation? Rotating the filter by 180°
#
# Until now we laid the filter on the photo **as it is**. That is really called
# **correlation** (`cl.correlate`). The demo on the learning page and AI libraries such as
# PyTorch and TensorFlow do it that way, even though they call it "convolution".
#
# In a true **convolution** (`cl.convolve`, and `scipy.signal.convolve2d` from the KIKS
# notebook) you first rotate the filter **by 180°**: the bottom row becomes the top
# row and left becomes right. Only then do you multiply and add.
#
# If a filter is still the same rotated by 180° (like blur or edges), it makes no
# difference. For other filters (like emboss or Sobel) it does. We work it out on a small
# 5 × 5 matrix with a 3 × 3 filter:
#
# ```
# M =  3 1 0 2 1        K =  1 0  2        K rotated by 180°   =  0 0 -1
#      0 4 2 0 3             0 1  0                                0 1  0
#      1 2 5 1 0            -1 0  0                                2 0  1
#      2 0 0 3 2
#      4 1 2 2 0
# ```

# %% [markdown]
# **By hand**, for the pixel in the middle of M (row 2, column 2). The 3 × 3 window
# around it is
#
# ```
# 4 2 0
# 2 5 1
# 0 0 3
# ```
#
# - **Correlation** (K as it is):
#   4·1 + 2·0 + 0·2 + 2·0 + 5·1 + 1·0 + 0·(−1) + 0·0 + 3·0 = 4 + 5 = **9**
# - **Convolution** (K turned):
#   4·0 + 2·0 + 0·(−1) + 2·0 + 5·1 + 1·0 + 0·2 + 0·0 + 3·1 = 5 + 3 = **8**
#
# Now we check that with code. `cl.explain` shows the window, the filter as it is used, the
# products and the sum. We ask for the output without padding (`padding="valid"`): it is
# 3 × 3, and the middle of M belongs to position (1, 1).

# %%
M = np.array(
    [
        [3, 1, 0, 2, 1],
        [0, 4, 2, 0, 3],
        [1, 2, 5, 1, 0],
        [2, 0, 0, 3, 2],
        [4, 1, 2, 2, 0],
    ]
)
K = np.array(
    [
        [1, 0, 2],
        [0, 1, 0],
        [-1, 0, 0],
    ]
)
by_hand_correlation = 9
by_hand_convolution = 8

step = cl.explain(M, K, at=(1, 1), mode="correlate", padding="valid")
print("Correlation")
print(step_text(step))
assert step.sum == by_hand_correlation

step = cl.explain(M, K, at=(1, 1), mode="convolve", padding="valid")
print()
print("Convolution")
print(step_text(step))
assert step.sum == by_hand_convolution

# %% [markdown]
# The whole output, with convolab and with `scipy.signal.convolve2d` (as in the KIKS
# notebook). They give exactly the same. The KIKS notebook uses scipy's default,
# `mode="full"`: then the filter also slides halfway outside M, with zeros outside. In
# convolab that is called `padding="full"`. And: correlation with the turned filter is exactly
# the convolution.

# %%
from scipy.signal import convolve2d

print("correlation:")
print(cl.correlate(M, K, padding="valid"))
print("convolution:")
print(cl.convolve(M, K, padding="valid"))
print("scipy convolve2d:")
print(convolve2d(M, K, mode="valid"))

turned = np.rot90(K, 2)  # rotated by 180°: two quarter turns
assert np.array_equal(cl.convolve(M, K, padding="valid"), convolve2d(M, K, mode="valid"))
assert np.array_equal(cl.convolve(M, K, padding="full"), convolve2d(M, K))
assert np.array_equal(cl.correlate(M, turned, padding="valid"), cl.convolve(M, K, padding="valid"))
print("with padding='full':", cl.convolve(M, K, padding="full").shape)

# %% [markdown]
# On a photo: edge detection is the same rotated by 180°, so correlation and
# convolution give the same. Sobel right becomes Sobel left rotated by 180°: light and
# dark swap.

# %%
same = np.array_equal(cl.correlate(photo, "edge"), cl.convolve(photo, "edge"))
print("edges: correlation = convolution?", same)
show(
    cl.correlate(zoom, "sobel-x"),
    cl.convolve(zoom, "sobel-x"),
    mapping="offset",
    titles=["Sobel, correlation", "Sobel, convolution"],
)

# %% [markdown]
# ### Step by step
# Slide with the slider (or with the arrow keys) over all positions, from left to right and
# from top to bottom. Choose correlation or convolution and watch how the filter changes.

# %%
out_rows, out_cols = cl.correlate(M, K, padding="valid").shape
position = widgets.IntSlider(
    value=0, min=0, max=out_rows * out_cols - 1, description="Position:", continuous_update=True
)
mode_choice = widgets.ToggleButtons(
    options=[("correlation", "correlate"), ("convolution", "convolve")],
    value="correlate",
    description="Kind:",
)
step_info = widgets.Label()
step_table = widgets.HTML()


def update_step(change=None):
    row, col = divmod(position.value, out_cols)
    step = cl.explain(M, K, at=(row, col), mode=mode_choice.value, padding="valid")
    step_info.value = f"output row {row}, column {col}: sum = {step.sum:g}"
    step_table.value = f"<pre>{html.escape(step_text(step))}</pre>"


position.observe(update_step, names="value")
mode_choice.observe(update_step, names="value")
display(mode_choice, position, step_info, step_table)
update_step()

# %% [markdown] tags=["exercise"]
# ### ✏️ Exercise 7
# Work out the **convolution** by hand for the first position, top left: the window is
# `M[0:3, 0:3]`. Don't forget to turn the filter! Fill in your number and run the box to
# check.

# %% tags=["answer", "exercise-7", "pupil"]
# Exercise 7: fill in your number, for example my_answer = 12
my_answer = None

correct = cl.convolve(M, K, padding="valid")[0, 0]
if my_answer is None:
    print("Not filled in yet.")
elif my_answer == correct:
    print("Correct!")
else:
    print("Not right yet. Look at the turned filter once more.")

# %% tags=["answer", "exercise-7", "teacher"]
# Exercise 7: window 3 1 0 / 0 4 2 / 1 2 5, turned filter 0 0 -1 / 0 1 0 / 2 0 1:
# 3·0 + 1·0 + 0·(−1) + 0·0 + 4·1 + 2·0 + 1·2 + 2·0 + 5·1 = 4 + 2 + 5 = 11
my_answer = 11

correct = cl.convolve(M, K, padding="valid")[0, 0]
if my_answer is None:
    print("Not filled in yet.")
elif my_answer == correct:
    print("Correct!")
else:
    print("Not right yet. Look at the turned filter once more.")
assert my_answer == correct

# %% [markdown]
# ## 8. The border of the photo and the size of the result
#
# At the border of the photo, the filter sticks out. There are two things you can do:
# - **No padding** (`padding="valid"`): the filter stays inside the photo. The result then
#   gets a bit smaller.
# - **Padding** (`padding="same"`): you put a border around the photo, so the result stays
#   the same size. With `padding="full"` the filter even slides all the way outside the
#   photo.

# %%
print("photo:", photo.shape)
for padding in ["valid", "same", "full"]:
    print(
        f"{padding:6} 3 × 3: {cl.correlate(photo, 'edge', padding=padding).shape}"
        f"   31 × 31: {cl.correlate(photo, cl.box(31), padding=padding).shape}"
    )

# %% [markdown]
# What goes into that border? You choose it with `border`. Here you see for the row
# `1 2 3 4 5` which numbers are added to its left (before the `|`) when the filter is 5
# wide:

# %%
row = np.array([[1, 2, 3, 4, 5]])
for name, b in cl.BORDERS.items():
    window = cl.explain(row, np.ones((1, 5)), at=(0, 0), border=name).window[0]
    print(
        f"{name:10} {window[0]:g} {window[1]:g} | {window[2]:g} {window[3]:g} {window[4]:g}"
        f"   {b.nl if LANG == 'nl' else b.en}"
    )

# %% [markdown]
# With a large blur filter (31 × 31) you see the difference clearly: with zeros
# (`"zero"`) the border of the result turns dark, because black pixels are averaged in. With
# mirroring (`"reflect"`) it does not.

# %%
big_blur = cl.box(31)
show(
    cl.correlate(photo, big_blur, border="zero"),
    cl.correlate(photo, big_blur, border="reflect"),
    titles=['border="zero"', 'border="reflect"'],
)

# %% [markdown]
# ### Going further: the size of the result
# *You may skip this part.* The **stride** (how many pixels the filter moves each time) and the **dilation** (the
# filter's cells lie further apart) also decide how large the result is. For each direction
#
# o = ⌊(i + 2p − k − (k − 1)(d − 1)) / s⌋ + 1
#
# with i the size of the input, k the size of the filter, p the padding on each side, s the
# stride and d the dilation. ⌊ ⌋ means: round down. `cl.explain_output_size` fills in the
# numbers for you.

# %%
for padding, stride, dilation in [(0, 1, 1), (1, 1, 1), (1, 2, 1), (0, 1, 2)]:
    size = cl.explain_output_size(512, 3, padding=padding, stride=stride, dilation=dilation)
    print(f"padding={padding}, stride={stride}, dilation={dilation}:")
    print("   ", size.text(LANG))
    result = cl.correlate(photo, "edge", padding=padding, stride=stride, dilation=dilation)
    assert result.shape == (size.value, size.value)

# %% [markdown] tags=["exercise"]
# ### ✏️ Exercise 8
# A photo of 28 × 28 pixels, a 5 × 5 filter, no padding and stride 2. How large is the
# result? Work it out with the formula first (see "going further" above). Then fill in your number and run the box.

# %% tags=["answer", "exercise-8", "pupil"]
# Exercise 8: fill in your number.
my_size = None

correct = cl.output_size(28, 5, padding=0, stride=2)
if my_size is None:
    print("Not filled in yet.")
elif my_size == correct:
    print("Correct!")
else:
    print("Not right yet. Remember to round down.")

# %% tags=["answer", "exercise-8", "teacher"]
# Exercise 8: o = ⌊(28 + 0 − 5) / 2⌋ + 1 = ⌊23 / 2⌋ + 1 = 11 + 1 = 12
my_size = 12

correct = cl.output_size(28, 5, padding=0, stride=2)
if my_size is None:
    print("Not filled in yet.")
elif my_size == correct:
    print("Correct!")
else:
    print("Not right yet. Remember to round down.")
assert my_size == correct
print(cl.explain_output_size(28, 5, padding=0, stride=2).text(LANG))

# %% [markdown]
# ## 9. Your own photo
#
# Choose a photo from your computer with the button below, then run the next box. If you
# don't choose a photo, we use the cat.

# %%
upload = widgets.FileUpload(accept="image/*", multiple=False, description="Choose a photo")
display(upload)


# %%
def own_photo():
    """The chosen photo in greyscale, or the cat if no photo was chosen."""
    if upload.value:
        return cl.load_image(upload.value[0]["content"], colour="grey")
    return cl.sample("chelsea", grey=True)


mine = own_photo()
print(mine.shape)
show(
    mine,
    cl.correlate(mine, "edge"),
    cl.correlate(mine, "emboss"),
    mapping=["clip", "abs", "clip"],
    titles=["your photo", "edges", "emboss"],
)

# %% [markdown] tags=["exercise"]
# ### ✏️ Exercise 9
# Choose a filter (or make one yourself) that does something nice or useful with your photo.
# Save the result as an image with `cl.save_image("filename.png", result)`.

# %% tags=["answer", "exercise-9", "pupil"]
# Exercise 9: write your code here.


# %% tags=["answer", "exercise-9", "teacher"]
# Exercise 9: an example. Blur first, then emboss; saved with "clip".
result = cl.correlate(cl.correlate(mine, "gaussian-3"), "emboss")
saved = cl.save_image("my_emboss.png", result)
show(mine, cl.load_image(saved), titles=["your photo", "saved"])
assert np.array_equal(cl.load_image(saved), cl.to_display(result))

# %% [markdown]
# ## 10. The layer that learns its own filter
#
# In a neural network nobody chooses the numbers of the filter. A **convolutional layer**
# starts with random numbers and learns the right ones itself.
#
# We try that here. We hide a filter (Sobel right). The layer sees the photo and the result
# of the hidden filter, but not the filter itself. After each step it changes its 9 numbers a
# little, so that its result looks more like the wanted result. That is called **gradient
# descent**: step by step going down to a smaller **loss** (how far the layer's result is from
# the wanted result).

# %%
from convolab.learn import FilterLearner

hidden = "sobel-x"
learner = FilterLearner(hidden, image="grass", size=64)
start = learner.kernel
state = learner.fit(max_steps=300)
STATUS = {
    "ready": "not started",
    "learning": "still learning",
    "converged": "found",
    "diverged": "diverged",
    "at_floor": "as good as a filter can get",
}
print(
    f"After {state.step} steps the largest difference from the hidden filter is {state.max_abs_error:.4f}."
)
print("learned:")
print_grid(state.kernel.round(2) + 0.0)  # + 0.0 turns -0 into plain 0
print("hidden:")
print_grid(cl.kernel(hidden))


# %%
def show_kernels(kernels, titles):
    """Filters as coloured cells with their numbers: red positive, blue negative."""
    top = max(np.abs(k).max() for k in kernels)
    fig, axes = plt.subplots(1, len(kernels), figsize=(2.6 * len(kernels), 2.6), squeeze=False)
    for ax, k, title in zip(axes[0], kernels, titles, strict=True):
        ax.imshow(k, cmap="RdBu_r", vmin=-top, vmax=top)
        for (r, c), v in np.ndenumerate(k):
            colour = "white" if abs(v) > 0.6 * top else "black"
            ax.text(c, r, f"{round(v, 2) + 0.0:.2f}", ha="center", va="center", color=colour)
        ax.set_title(title)
        ax.axis("off")
    plt.show()


show_kernels([start, state.kernel, cl.kernel(hidden).values], ["start", "learned", "hidden"])

# %% [markdown]
# **Going further** (you may skip this): the loss after every step. The vertical axis is
# logarithmic: each mark is 10 times smaller than the one before, so you still see the small
# values at the end go down.

# %%
plt.figure(figsize=(6, 2.5))
plt.plot(learner.history)
plt.yscale("log")
plt.xlabel("step")
plt.ylabel("loss")
plt.show()

# %% [markdown]
# ### Going further: the same in plain PyTorch
# *You may skip this part.* `FilterLearner` does nothing secret. This is the same training in about ten lines of
# PyTorch, the library real neural networks are made with. The layer `nn.Conv2d` does
# **correlation** (part 7): it learns the hidden filter as it is, not turned.

# %%
import torch
from torch import nn

crop = cl.sample("grass")[224:288, 224:288].astype(float)
x = (
    crop - crop.mean()
) / crop.std()  # mean 0, standard deviation 1: a network learns faster like this
wanted = cl.correlate(x, hidden, padding="valid")  # what the layer must learn to make
x_t = torch.tensor(x, dtype=torch.float32)[None, None]  # shape (1, 1, 64, 64): 1 photo, 1 channel
wanted_t = torch.tensor(wanted, dtype=torch.float32)[None, None]

torch.manual_seed(0)
layer = nn.Conv2d(1, 1, kernel_size=3, bias=False)
optimizer = torch.optim.Adam(layer.parameters(), lr=0.1)
for i in range(300):
    optimizer.zero_grad()
    loss = torch.mean((layer(x_t) - wanted_t) ** 2)  # the loss: mean of the squares
    loss.backward()  # which way should each number of the filter go?
    optimizer.step()  # a small step that way
    if i % 100 == 0:
        print(f"step {i}: loss {loss.item():.3g}")

learned = layer.weight.detach()[0, 0].numpy()
print_grid(learned.round(2) + 0.0)
assert np.abs(learned - cl.kernel(hidden).values).max() < 0.05

# %% [markdown] tags=["exercise"]
# ### ✏️ Exercise 10
# Let the layer find another filter: choose a name from the list in part 6, or type numbers
# yourself, such as `"1 0 -1; 1 0 -1; 1 0 -1"`. Then try `"mirror"`: the mirror image of the
# photo (left and right swapped). Does that work too? Why or why not?

# %% tags=["answer", "exercise-10", "pupil"]
# Exercise 10: choose a filter and run the box.
target = "emboss"
state2 = FilterLearner(target, image="grass", size=64).fit(max_steps=300)
print(STATUS[state2.status], "after", state2.step, "steps")
print_grid(state2.kernel.round(2) + 0.0)

# %% tags=["answer", "exercise-10", "teacher"]
# Exercise 10: the layer finds every 3 × 3 filter back.
for target in ["emboss", "1 0 -1; 1 0 -1; 1 0 -1"]:
    state2 = FilterLearner(target, image="grass", size=64).fit(max_steps=300)
    print(target, ":", STATUS[state2.status], "after", state2.step, "steps")
    assert state2.converged
# Mirroring does not work: a pixel far on the left must go to the right, much further than a
# 3 × 3 filter reaches. No filter can do that; the loss stays high.
mirror = FilterLearner("mirror", image="grass", size=64)
state3 = mirror.fit(max_steps=300)
print(f"mirror: the best filter explains only {mirror.explained:.0%} of the result")
assert not state3.achievable

# %% [markdown]
# ## 11. Signals
#
# Convolutions don't only work on photos. A **signal** is a row of measurements one after the
# other: a heart recording (ECG), sound, the temperature, a share price. The filter is then a
# short row of numbers that slides along the signal. The same idea, with one dimension less.
#
# The average of 9 measurements in a row (`moving_average(9)`) smooths the noise out of a
# heart recording.

# %%
from convolab import signals as sg

ecg = sg.signal("ecg")
print(ecg.info.about_nl if LANG == "nl" else ecg.info.about_en)
first = ecg.values[: 5 * 360]  # the first 5 seconds: 360 measurements per second
seconds = ecg.times[: 5 * 360]
ecg_smooth = sg.correlate1d(first, sg.moving_average(9))
plt.figure(figsize=(10, 3))
plt.plot(seconds, first, lw=0.8, label="ECG")
plt.plot(seconds, ecg_smooth, lw=1.5, label="average of 9")
plt.xlabel("seconds")
plt.ylabel("mV")
plt.legend()
plt.show()

# %% [markdown]
# **Counting heartbeats** works with convolutions too: take the difference with the
# previous measurement (that makes the steep spikes stand out), make everything positive
# (squaring), take the average over 150 milliseconds (one hill per heartbeat) and count the
# hills above a threshold. `sg.detect_beats` does those steps (after Pan and Tompkins, 1985).

# %%
beats = sg.detect_beats(ecg)
minutes = ecg.duration / 60
print(f"{len(beats.peaks)} heartbeats in {minutes:.0f} minutes: {beats.bpm:.0f} per minute")
ten = 10 * 360
found = beats.peaks[beats.peaks < ten]
plt.figure(figsize=(10, 3))
plt.plot(ecg.times[:ten], ecg.values[:ten], lw=0.8)
plt.plot(ecg.times[found], ecg.values[found], "o", color="red", label="heartbeat")
plt.xlabel("seconds")
plt.ylabel("mV")
plt.legend()
plt.show()

# %% [markdown]
# A **moving average** of a share price: every month the average of the last 12 months. It
# only looks at the past (nobody knows next month's price), that is why we use `trailing1d`.
# Do you see that the average lags a little behind?

# %%
apple = sg.signal("price-aapl")
average = sg.trailing1d(apple, sg.moving_average(12))
plt.figure(figsize=(10, 3))
plt.plot(apple.dates, apple.values, label="Apple")
plt.plot(apple.dates, average, label="average of 12 months")
plt.ylabel("USD")
plt.legend()
plt.show()

# %% [markdown] tags=["exercise"]
# ### ✏️ Exercise 11
# Take the average over 3 and over 25 measurements of the first 5 seconds of the ECG. What
# happens to the noise? And to the high, narrow spikes of the heartbeats?

# %% tags=["answer", "exercise-11", "pupil"]
# Exercise 11: try n = 3 and n = 25.
n = 9
plt.figure(figsize=(10, 3))
plt.plot(seconds, sg.correlate1d(first, sg.moving_average(n)))
plt.show()

# %% tags=["answer", "exercise-11", "teacher"]
# Exercise 11: with 3 some noise is left. With 25 (70 milliseconds) the noise is gone, but
# the narrow spikes get lower and wider: they are smeared out as well.
plt.figure(figsize=(10, 3))
for n in [3, 25]:
    plt.plot(seconds, sg.correlate1d(first, sg.moving_average(n)), label=f"n = {n}")
plt.legend()
plt.show()
peak_3 = sg.correlate1d(first, sg.moving_average(3)).max()
peak_25 = sg.correlate1d(first, sg.moving_average(25)).max()
print(f"highest spike: {peak_3:.2f} mV with 3, {peak_25:.2f} mV with 25")
assert peak_25 < peak_3

# %% [markdown]
# ## What have you learned?
#
# - A photo is a grid of numbers; so is a filter.
# - A convolution slides the filter over the photo: multiplying and adding gives one new
#   pixel.
# - With other numbers in the filter you find edges, lines in one direction, or make the
#   photo softer or sharper.
# - A result can be negative or go above 255: `"clip"`, `"abs"` and `"offset"` are three ways
#   to show it anyway.
# - In a true convolution you rotate the filter by 180°; AI libraries don't (correlation).
# - Padding, stride and dilation decide how large the result is.
#
# - A **convolutional layer** learns the numbers of its filter itself, step by step.
# - The same convolutions work on signals too: a heart recording, a price, sound.
