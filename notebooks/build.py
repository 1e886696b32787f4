"""Build the "Convoluties in Python" notebooks from one source, in Dutch and English.

    .venv/bin/python notebooks/build.py          # writes the four .ipynb files

The Dutch and English notebooks are written side by side here, cell by cell,
so they keep the same structure: the same code cells with the same code (only
comments and strings differ). Each exercise has a pupil cell (a scaffold that
runs as it is) and a teacher cell (the answer), so the pupil notebook and the
teacher notebook differ only in those cells and in the teacher notes.

Edit this file, not the .ipynb files: ``tests/notebooks`` checks that the
notebooks are what this script writes.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
FILES = {
    ("nl", "pupil"): HERE / "nl" / "convoluties_in_python.ipynb",
    ("nl", "teacher"): HERE / "nl" / "convoluties_in_python_leraar.ipynb",
    ("en", "pupil"): HERE / "en" / "convolutions_in_python.ipynb",
    ("en", "teacher"): HERE / "en" / "convolutions_in_python_teacher.ipynb",
}


@dataclass
class Md:
    nl: str
    en: str


@dataclass
class Code:
    nl: str
    en: str | None = None  # None: the same code in both languages


@dataclass
class Answer:
    """An exercise's code cell: a runnable scaffold for pupils, the answer for teachers."""

    pupil_nl: str
    pupil_en: str
    teacher_nl: str
    teacher_en: str


@dataclass
class TeacherNote:
    """Markdown only in the teacher notebooks."""

    nl: str
    en: str


# --------------------------------------------------------------------------------------
# The notebook, section by section.
# --------------------------------------------------------------------------------------

CELLS: list = []


def add(*cells) -> None:
    CELLS.extend(cells)


# ---- title -----------------------------------------------------------------------------

add(
    Md(
        """# Convoluties in Python

Welkom! In deze notebook pas je zelf **convoluties** toe op foto's. Je gebruikt Python en
de bibliotheek **convolab**. Een convolutie schuift een **filter** (een klein raster van
getallen) over een foto. Op elke plek vermenigvuldig je de pixels onder de filter met de
getallen van de filter en tel je alles op. Zo krijg je één nieuwe pixel.

**Zo werkt een notebook**: een grijs vak is code. Klik erin en druk op **Shift + Enter**
om het uit te voeren. Voer de vakken uit van boven naar onder.

Na elk deel staat een **✏️ Oefening**. Je schrijft je antwoord in het lege codevak eronder.

Wat je leert:
1. Foto's inladen en tonen
2. Randen vinden
3. Verticale en horizontale lijnen
4. Diagonalen
5. Vervagen, vervagen en dan randen, verscherpen
6. Kant-en-klare filters (met een keuzelijst en je eigen filter)
7. Convolutie of correlatie? De filter spiegelen, met de hand uitgerekend
8. De rand van de foto en de grootte van het resultaat
9. Je eigen foto
10. De laag die zelf een filter leert
11. Signalen: hartslag en koersen

*Naar het voorbeeld van de KIKS-notebook "Convolutie" van Dwengo vzw.*""",
        """# Convolutions in Python

Welcome! In this notebook you apply **convolutions** to photos yourself, with Python and the
**convolab** library. A convolution slides a **filter** (a small grid of numbers) over a
photo. At every position you multiply the pixels under the filter by the filter's numbers
and add everything up. That gives you one new pixel.

**How a notebook works**: a grey box is code. Click in it and press **Shift + Enter** to
run it. Run the boxes from top to bottom.

After each part there is an **✏️ Exercise**. You write your answer in the empty code box
below it.

What you will learn:
1. Loading and showing photos
2. Finding edges
3. Vertical and horizontal lines
4. Diagonals
5. Blurring, blurring and then edges, sharpening
6. Ready-made filters (with a drop-down list and your own filter)
7. Convolution or correlation? Flipping the filter, worked out by hand
8. The border of the photo and the size of the result
9. Your own photo
10. The layer that learns its own filter
11. Signals: heartbeat and prices

*Modelled on the KIKS notebook "Convolutie" by Dwengo vzw.*""",
    ),
    TeacherNote(
        """> **Versie voor de leraar.** Deze notebook is gelijk aan die van de leerlingen, maar de
> codevakken van de oefeningen bevatten een antwoord, met uitleg in commentaar. Een vak met
> `assert` controleert het antwoord: de notebook loopt alleen zonder fouten als alle
> antwoorden kloppen.""",
        """> **Teacher version.** This notebook is the same as the pupils' one, but the exercise code
> boxes contain an answer, explained in comments. A box with `assert` checks the answer: the
> notebook only runs without errors when every answer is right.""",
    ),
    Md(
        """Eerst laden we de bibliotheken en maken we een hulpfunctie `show` die foto's naast
elkaar toont.""",
        """First we load the libraries and make a helper function `show` that shows photos side by
side.""",
    ),
    Code(
        '''import matplotlib.pyplot as plt
import numpy as np

import convolab as cl
from convolab.errors import message  # an error in the notebook's language

LANG = "nl"  # de taal van de namen en uitleg van convolab


def show(*images, titles=None, mapping="clip", size=4):
    """Toon foto's naast elkaar. Een ruw resultaat wordt eerst pixels van 0 tot 255."""
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
    """De getallen van een filter als tekst, rij per rij."""
    if isinstance(grid, cl.Kernel):
        grid = grid.cells()
    rows = np.asarray(grid, dtype=object)
    return "\\n".join(
        " ".join(f"{v:>6}" if isinstance(v, str) else f"{v:>6g}" for v in row) for row in rows
    )


def print_grid(grid):
    """Druk een raster van getallen netjes af."""
    print(grid_text(grid))''',
        '''import matplotlib.pyplot as plt
import numpy as np

import convolab as cl
from convolab.errors import message  # an error in the notebook's language

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
    return "\\n".join(
        " ".join(f"{v:>6}" if isinstance(v, str) else f"{v:>6g}" for v in row) for row in rows
    )


def print_grid(grid):
    """Print a grid of numbers neatly."""
    print(grid_text(grid))''',
    ),
)

# ---- 1. photos -------------------------------------------------------------------------

add(
    Md(
        """## 1. Foto's inladen en tonen

Voor een computer is een foto in grijstinten een **raster van getallen**: één getal per
pixel, van **0 (zwart)** tot **255 (wit)**. convolab heeft een paar echte foto's bij zich.
Dit zijn ze:""",
        """## 1. Loading and showing photos

To a computer, a greyscale photo is a **grid of numbers**: one number per pixel, from
**0 (black)** to **255 (white)**. convolab comes with a few real photos. Here they are:""",
    ),
    Code(
        """for s in cl.samples():
    print(f"{s.id:10} {s.name_nl if LANG == 'nl' else s.name_en}")"""
    ),
    Md(
        """We laden de foto van de fotograaf (`"camera"`). `shape` zegt hoeveel rijen en kolommen
pixels ze heeft. Daarna drukken we een klein stukje van 5 bij 5 pixels af: het zijn echt
gewoon getallen.""",
        """We load the photo of the cameraman (`"camera"`). `shape` tells how many rows and columns
of pixels it has. Then we print a small piece of 5 by 5 pixels: they really are just
numbers.""",
    ),
    Code(
        """photo = cl.sample("camera")
print(photo.shape, photo.dtype)
print(photo[200:205, 200:205])
show(photo)"""
    ),
    Md(
        """Nog drie foto's: bakstenen, munten en een raket. Een kleurenfoto maken we grijs met
`grey=True`.""",
        """Three more photos: bricks, coins and a rocket. We turn a colour photo grey with
`grey=True`.""",
    ),
    Code(
        """bricks = cl.sample("brick")
coins = cl.sample("coins")
rocket = cl.sample("rocket", grey=True)
show(bricks, coins, rocket, titles=["bakstenen", "munten", "raket"])""",
        """bricks = cl.sample("brick")
coins = cl.sample("coins")
rocket = cl.sample("rocket", grey=True)
show(bricks, coins, rocket, titles=["bricks", "coins", "rocket"])""",
    ),
    Md(
        """### ✏️ Oefening 1
Laad de foto `"astronaut"` in grijstinten. Hoeveel rijen en kolommen heeft ze? Wat is de
waarde van de pixel in rij 100, kolom 200? Is die pixel eerder licht of eerder donker?""",
        """### ✏️ Exercise 1
Load the photo `"astronaut"` in greyscale. How many rows and columns does it have? What is
the value of the pixel in row 100, column 200? Is that pixel rather light or rather dark?""",
    ),
    Answer(
        """# Oefening 1: schrijf hier je code.
astronaut = None  # vervang None door cl.sample(...)""",
        """# Exercise 1: write your code here.
astronaut = None  # replace None by cl.sample(...)""",
        """# Oefening 1: een mogelijk antwoord.
astronaut = cl.sample("astronaut", grey=True)
print(astronaut.shape)  # (512, 512): 512 rijen en 512 kolommen
print(astronaut[100, 200])  # boven 128 is eerder licht, onder 128 eerder donker
show(astronaut)
assert astronaut.shape == (512, 512)""",
        """# Exercise 1: a possible answer.
astronaut = cl.sample("astronaut", grey=True)
print(astronaut.shape)  # (512, 512): 512 rows and 512 columns
print(astronaut[100, 200])  # above 128 is rather light, below 128 rather dark
show(astronaut)
assert astronaut.shape == (512, 512)""",
    ),
)

# ---- 2. edges --------------------------------------------------------------------------

add(
    Md(
        """## 2. Randen

Deze filter vindt **randen**: plekken waar een pixel anders is dan zijn buren. Het midden
telt 8 keer, de 8 buren tellen elk −1 mee. Is alles rond een pixel even licht, dan is de
som 0. Bij een rand is de som groot.

`cl.correlate(foto, filter)` schuift de filter over de hele foto.""",
        """## 2. Edges

This filter finds **edges**: places where a pixel differs from its neighbours. The centre
counts 8 times, each of the 8 neighbours counts −1. If everything around a pixel is equally
light, the sum is 0. At an edge the sum is large.

`cl.correlate(photo, filter)` slides the filter over the whole photo.""",
    ),
    Code(
        """edge = cl.kernel("edge")
print(edge.name(LANG), "-", edge.about(LANG))
print_grid(edge)
edges = cl.correlate(photo, edge)
print("kleinste waarde:", edges.min(), " grootste waarde:", edges.max())
show(photo, edges, titles=["foto", "randen"])""",
        """edge = cl.kernel("edge")
print(edge.name(LANG), "-", edge.about(LANG))
print_grid(edge)
edges = cl.correlate(photo, edge)
print("smallest value:", edges.min(), " largest value:", edges.max())
show(photo, edges, titles=["photo", "edges"])""",
    ),
    Md(
        """Het resultaat bevat ook **negatieve getallen** en getallen **boven 255**. Een pixel kan
dat niet tonen. Er zijn verschillende manieren om er toch pixels van te maken:
- `"clip"`: alles onder 0 wordt 0 (zwart), alles boven 255 wordt 255 (wit). Zo deed je het
  hierboven.
- `"abs"`: we laten het minteken weg, zodat ook negatieve randen licht worden.
- `"offset"`: 0 wordt middengrijs; positief is lichter, negatief is donkerder.""",
        """The result also contains **negative numbers** and numbers **above 255**. A pixel cannot
show that. There are several ways to turn them into pixels anyway:
- `"clip"`: everything below 0 becomes 0 (black), everything above 255 becomes 255 (white).
  That is what you did above.
- `"abs"`: we drop the minus sign, so negative edges become light too.
- `"offset"`: 0 becomes mid-grey; positive is lighter, negative is darker.""",
    ),
    Code(
        """show(edges, edges, edges, mapping=["clip", "abs", "offset"], titles=["clip", "abs", "offset"])"""
    ),
    Md(
        """### ✏️ Oefening 2
Tel met code alle getallen van de randfilter op (`edge.values.sum()`). Leg uit waarom een
effen stuk van een foto (overal dezelfde grijswaarde) zwart wordt. Probeer de filter daarna
op de munten (`coins`).""",
        """### ✏️ Exercise 2
Add up all the numbers of the edge filter with code (`edge.values.sum()`). Explain why a
plain part of a photo (the same grey value everywhere) turns black. Then try the filter on
the coins (`coins`).""",
    ),
    Answer(
        """# Oefening 2: schrijf hier je code. Je uitleg schrijf je als commentaar, na een #.
""",
        """# Exercise 2: write your code here. Write your explanation as a comment, after a #.
""",
        """# Oefening 2: een mogelijk antwoord.
print(edge.values.sum())  # 0
# Bij een effen stuk zijn alle 9 pixels gelijk, zeg p. De som is dan 8·p − 8·p = 0: zwart.
flat = np.full((5, 5), 100)
print(cl.correlate(flat, edge, padding="valid"))  # allemaal 0
assert edge.values.sum() == 0
assert np.all(cl.correlate(flat, edge, padding="valid") == 0)
show(coins, cl.correlate(coins, edge), mapping="abs", titles=["munten", "randen"])""",
        """# Exercise 2: a possible answer.
print(edge.values.sum())  # 0
# In a plain area all 9 pixels are equal, say p. The sum is 8·p − 8·p = 0: black.
flat = np.full((5, 5), 100)
print(cl.correlate(flat, edge, padding="valid"))  # all 0
assert edge.values.sum() == 0
assert np.all(cl.correlate(flat, edge, padding="valid") == 0)
show(coins, cl.correlate(coins, edge), mapping="abs", titles=["coins", "edges"])""",
    ),
)

# ---- 3. vertical and horizontal lines ---------------------------------------------------

add(
    Md(
        """## 3. Verticale en horizontale lijnen

In elke rij van deze filter staat `-1 0 1`: de pixel **rechts min de pixel links**. Wordt
de foto van links naar rechts lichter, dan is het resultaat positief. Wordt ze donkerder,
dan is het negatief. Zo vind je **verticale** lijnen.

Met `"offset"` zie je allebei: lichter dan grijs is positief, donkerder is negatief.""",
        """## 3. Vertical and horizontal lines

Every row of this filter holds `-1 0 1`: the pixel **on the right minus the pixel on the
left**. If the photo gets lighter from left to right, the result is positive. If it gets
darker, it is negative. That is how you find **vertical** lines.

With `"offset"` you see both: lighter than grey is positive, darker is negative.""",
    ),
    Code(
        """vertical = np.array([
    [-1, 0, 1],
    [-1, 0, 1],
    [-1, 0, 1],
])
show(bricks, cl.correlate(bricks, vertical), mapping=["clip", "offset"],
     titles=["bakstenen", "verticale lijnen"])""",
        """vertical = np.array([
    [-1, 0, 1],
    [-1, 0, 1],
    [-1, 0, 1],
])
show(bricks, cl.correlate(bricks, vertical), mapping=["clip", "offset"],
     titles=["bricks", "vertical lines"])""",
    ),
    Md(
        """### ✏️ Oefening 3
Maak zelf een filter die **horizontale** lijnen vindt. Tip: draai de filter voor verticale
lijnen een kwartslag. Vul de getallen in en voer het vak uit.""",
        """### ✏️ Exercise 3
Make a filter that finds **horizontal** lines yourself. Tip: turn the filter for vertical
lines a quarter turn. Fill in the numbers and run the box.""",
    ),
    Answer(
        """# Oefening 3: vul de juiste getallen in.
horizontal = np.array([
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
])
show(bricks, cl.correlate(bricks, horizontal), mapping=["clip", "offset"])""",
        """# Exercise 3: fill in the right numbers.
horizontal = np.array([
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
])
show(bricks, cl.correlate(bricks, horizontal), mapping=["clip", "offset"])""",
        """# Oefening 3: onder min boven. (Boven +1 en onder -1 mag ook: dan wisselen licht en donker.)
horizontal = np.array([
    [-1, -1, -1],
    [0, 0, 0],
    [1, 1, 1],
])
show(bricks, cl.correlate(bricks, horizontal), mapping=["clip", "offset"])
# Het is de filter "horizontal-lines" uit de lijst van convolab:
assert np.array_equal(horizontal, cl.kernel("horizontal-lines").values)""",
        """# Exercise 3: below minus above. (+1 above and -1 below works too: light and dark swap.)
horizontal = np.array([
    [-1, -1, -1],
    [0, 0, 0],
    [1, 1, 1],
])
show(bricks, cl.correlate(bricks, horizontal), mapping=["clip", "offset"])
# It is the filter "horizontal-lines" from convolab's list:
assert np.array_equal(horizontal, cl.kernel("horizontal-lines").values)""",
    ),
)

# ---- 4. diagonals ------------------------------------------------------------------------

add(
    Md(
        """## 4. Diagonalen

Deze twee filters vergelijken twee hoeken van het venster van 3 × 3: linksboven met
rechtsonder, of rechtsboven met linksonder. Zo vallen **schuine** randen op.""",
        """## 4. Diagonals

These two filters compare two corners of the 3 × 3 window: top left with bottom right, or
top right with bottom left. That makes **slanted** edges stand out.""",
    ),
    Code(
        """down = cl.kernel("diagonal-down")
up = cl.kernel("diagonal-up")
print_grid(down)
print()
print_grid(up)
show(photo, cl.correlate(photo, down), cl.correlate(photo, up), mapping="offset",
     titles=["foto", down.name(LANG), up.name(LANG)])""",
        """down = cl.kernel("diagonal-down")
up = cl.kernel("diagonal-up")
print_grid(down)
print()
print_grid(up)
show(photo, cl.correlate(photo, down), cl.correlate(photo, up), mapping="offset",
     titles=["photo", down.name(LANG), up.name(LANG)])""",
    ),
    Md(
        """### ✏️ Oefening 4
Maak een diagonale filter met −1 en 1 in plaats van −5 en 5. Vergelijk de getallen van
beide resultaten. Wat zie je met `"offset"`? En met `"clip"`?""",
        """### ✏️ Exercise 4
Make a diagonal filter with −1 and 1 instead of −5 and 5. Compare the numbers of both
results. What do you see with `"offset"`? And with `"clip"`?""",
    ),
    Answer(
        """# Oefening 4: vul de juiste getallen in.
small = np.array([
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
])
show(cl.correlate(photo, down), cl.correlate(photo, small), mapping="offset")""",
        """# Exercise 4: fill in the right numbers.
small = np.array([
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
])
show(cl.correlate(photo, down), cl.correlate(photo, small), mapping="offset")""",
        """# Oefening 4: elk getal van het resultaat wordt 5 keer kleiner.
small = np.array([
    [-1, 0, 0],
    [0, 0, 0],
    [0, 0, 1],
])
show(cl.correlate(photo, down), cl.correlate(photo, small), mapping="offset")
assert np.allclose(cl.correlate(photo, down), 5 * cl.correlate(photo, small))
# Met "offset" zien beide er hetzelfde uit: de grootste waarde wordt altijd wit of zwart.
# Met "clip" is de kleine filter veel zwakker: de meeste waarden blijven dicht bij 0 (zwart).
show(cl.correlate(photo, down), cl.correlate(photo, small), mapping="clip")""",
        """# Exercise 4: every number of the result becomes 5 times smaller.
small = np.array([
    [-1, 0, 0],
    [0, 0, 0],
    [0, 0, 1],
])
show(cl.correlate(photo, down), cl.correlate(photo, small), mapping="offset")
assert np.allclose(cl.correlate(photo, down), 5 * cl.correlate(photo, small))
# With "offset" both look the same: the largest value always becomes white or black.
# With "clip" the small filter is much weaker: most values stay close to 0 (black).
show(cl.correlate(photo, down), cl.correlate(photo, small), mapping="clip")""",
    ),
)

# ---- 5. smoothing, smoothing then edges, sharpening ------------------------------------

add(
    Md(
        """## 5. Vervagen, vervagen en dan randen, verscherpen

Deze filter neemt een **gewogen gemiddelde**: de pixel zelf telt 5 keer, elke buur 1 keer.
Samen is dat 13, dus delen we door 13. Kleine details (en ruis) worden zo uitgesmeerd.""",
        """## 5. Blurring, blurring and then edges, sharpening

This filter takes a **weighted average**: the pixel itself counts 5 times, each neighbour
once. Together that is 13, so we divide by 13. Small details (and noise) get smeared out.""",
    ),
    Code(
        """smooth = cl.kernel("smooth")
print_grid(smooth)
show(photo, cl.correlate(photo, smooth), cl.correlate(photo, cl.gaussian(9, 2.0)),
     titles=["foto", "gladgestreken", "sterker: gaussian(9, 2)"])""",
        """smooth = cl.kernel("smooth")
print_grid(smooth)
show(photo, cl.correlate(photo, smooth), cl.correlate(photo, cl.gaussian(9, 2.0)),
     titles=["photo", "smoothed", "stronger: gaussian(9, 2)"])""",
    ),
    Md(
        """Een foto met **ruis** (kleine willekeurige vlekjes, zoals bij een foto in het donker)
geeft overal kleine randjes. Strijk je eerst glad, dan blijven vooral de echte randen over.""",
        """A photo with **noise** (small random specks, like a photo taken in the dark) gives small
edges everywhere. If you smooth first, mostly the real edges are left.""",
    ),
    Code(
        """rng = np.random.default_rng(0)
noisy = np.clip(photo + rng.normal(0, 20, photo.shape), 0, 255).astype(np.uint8)
edges_noisy = cl.correlate(noisy, "edge")
edges_smoothed = cl.correlate(cl.correlate(noisy, smooth), "edge")
show(noisy, edges_noisy, edges_smoothed, mapping="abs",
     titles=["met ruis", "randen", "eerst gladgestreken, dan randen"])""",
        """rng = np.random.default_rng(0)
noisy = np.clip(photo + rng.normal(0, 20, photo.shape), 0, 255).astype(np.uint8)
edges_noisy = cl.correlate(noisy, "edge")
edges_smoothed = cl.correlate(cl.correlate(noisy, smooth), "edge")
show(noisy, edges_noisy, edges_smoothed, mapping="abs",
     titles=["with noise", "edges", "smoothed first, then edges"])""",
    ),
    Md(
        """**Verscherpen** doet het omgekeerde: 5 keer de pixel min zijn 4 buren. Dat is de pixel
zelf plus hoeveel hij verschilt van zijn buren. Verschillen worden groter, details scherper.
We zoomen in op het gezicht en de camera.""",
        """**Sharpening** does the opposite: 5 times the pixel minus its 4 neighbours. That is the
pixel itself plus how much it differs from its neighbours. Differences grow, details get
sharper. We zoom in on the face and the camera.""",
    ),
    Code(
        """sharpen = cl.kernel("sharpen")
print_grid(sharpen)
zoom = photo[60:230, 160:330]
show(zoom, cl.correlate(zoom, sharpen), titles=["foto", "verscherpt"])""",
        """sharpen = cl.kernel("sharpen")
print_grid(sharpen)
zoom = photo[60:230, 160:330]
show(zoom, cl.correlate(zoom, sharpen), titles=["photo", "sharpened"])""",
    ),
    Md(
        """### ✏️ Oefening 5
Waarom delen we door 13 bij de filter om glad te strijken? Wat gebeurt er als je dat
vergeet? Probeer het met de filter `[[1, 1, 1], [1, 5, 1], [1, 1, 1]]`.""",
        """### ✏️ Exercise 5
Why do we divide by 13 in the smoothing filter? What happens if you forget? Try it with the
filter `[[1, 1, 1], [1, 5, 1], [1, 1, 1]]`.""",
    ),
    Answer(
        """# Oefening 5: schrijf hier je code. Je uitleg schrijf je als commentaar, na een #.
""",
        """# Exercise 5: write your code here. Write your explanation as a comment, after a #.
""",
        """# Oefening 5: de gewichten zijn samen 13. Delen door 13 maakt er een gemiddelde van,
# zodat de foto even licht blijft. Zonder delen wordt elke pixel ongeveer 13 keer zo licht:
# bijna alles komt boven 255 en wordt wit.
not_divided = cl.correlate(photo, [[1, 1, 1], [1, 5, 1], [1, 1, 1]])
show(photo, not_divided, titles=["foto", "niet gedeeld door 13"])
print("gemiddelde foto:", photo.mean(), " zonder delen:", not_divided.mean())
assert smooth.values.sum() == 1
assert abs(not_divided.mean() / cl.correlate(photo, smooth).mean() - 13) < 1e-9""",
        """# Exercise 5: the weights add up to 13. Dividing by 13 makes it an average, so the photo
# stays just as light. Without dividing, every pixel gets about 13 times lighter: almost
# everything goes above 255 and turns white.
not_divided = cl.correlate(photo, [[1, 1, 1], [1, 5, 1], [1, 1, 1]])
show(photo, not_divided, titles=["photo", "not divided by 13"])
print("mean photo:", photo.mean(), " without dividing:", not_divided.mean())
assert smooth.values.sum() == 1
assert abs(not_divided.mean() / cl.correlate(photo, smooth).mean() - 13) < 1e-9""",
    ),
)

# ---- 6. ready-made filters --------------------------------------------------------------

add(
    Md(
        """## 6. Kant-en-klare filters

convolab kent een hele lijst filters, elk met een naam en een korte uitleg. Je gebruikt ze
met hun naam, bijvoorbeeld `cl.kernel("sobel-x")` of meteen `cl.correlate(foto, "sobel-x")`.""",
        """## 6. Ready-made filters

convolab knows a whole list of filters, each with a name and a short explanation. You use
them by name, for example `cl.kernel("sobel-x")` or straight away
`cl.correlate(photo, "sobel-x")`.""",
    ),
    Code(
        """for k in cl.kernels():
    print(f"{k.id:18} {k.name(LANG):26} {k.about(LANG)}")"""
    ),
    Md(
        """Alle filters op een stukje van de foto. Elke filter gebruikt de manier van tonen die bij
hem past (`k.display`): randfilters bijvoorbeeld met `"abs"` of `"offset"`.""",
        """All filters on a piece of the photo. Each filter uses the way of showing that suits it
(`k.display`): edge filters for example with `"abs"` or `"offset"`.""",
    ),
    Code(
        """piece = photo[40:296, 120:376]
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
plt.show()"""
    ),
    Md(
        """### Kies een filter
Kies een filter in de keuzelijst (met de muis, of met Tab en de pijltjestoetsen). De foto
wordt meteen opnieuw berekend.""",
        """### Choose a filter
Choose a filter in the drop-down list (with the mouse, or with Tab and the arrow keys). The
photo is computed again straight away.""",
    ),
    Code(
        """import html

import ipywidgets as widgets
from IPython.display import display

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
update_filter()""",
        """import html

import ipywidgets as widgets
from IPython.display import display

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
update_filter()""",
    ),
    Md(
        """### Maak je eigen filter
Typ een filter in het tekstvak: de rijen onder elkaar (of gescheiden door `;`), de getallen
gescheiden door spaties. Breuken mogen ook, zoals `1/9`. Klik daarna buiten het vak of druk
op Tab.""",
        """### Make your own filter
Type a filter in the text box: the rows below each other (or separated by `;`), the numbers
separated by spaces. Fractions are fine too, like `1/9`. Then click outside the box or
press Tab.""",
    ),
    Code(
        """kernel_text = widgets.Textarea(
    value="0 -1 0\\n-1 5 -1\\n0 -1 0",
    description="Jouw filter:",
    rows=5,
    continuous_update=False,
)
display_choice = widgets.Dropdown(options=list(cl.MAPPINGS), value="clip", description="Tonen:")
kernel_message = widgets.Label()
kernel_result = widgets.Image(format="png", width=256)


def update_kernel(change=None):
    try:
        k = cl.parse_kernel(kernel_text.value)
        result = cl.correlate(piece, k)
    except (ValueError, TypeError) as error:
        kernel_message.value = f"Dat lukt nog niet: {message(error, LANG)}"
        return
    kernel_message.value = f"Filter van {k.shape[0]} × {k.shape[1]}, som van de getallen {k.sum():g}"
    kernel_result.value = cl.encode_image(result, mapping=display_choice.value)


kernel_text.observe(update_kernel, names="value")
display_choice.observe(update_kernel, names="value")
display(kernel_text, display_choice, kernel_message, widgets.HBox([filter_photo, kernel_result]))
update_kernel()""",
        """kernel_text = widgets.Textarea(
    value="0 -1 0\\n-1 5 -1\\n0 -1 0",
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
update_kernel()""",
    ),
    Md(
        """### ✏️ Oefening 6
Welke filter laat de randen van de munten het best zien? Probeer er minstens drie, met de
keuzelijst of met code. Pas daarna twee filters **na elkaar** toe: eerst de ene, dan op dat
resultaat de andere.""",
        """### ✏️ Exercise 6
Which filter shows the edges of the coins best? Try at least three, with the drop-down list
or with code. Then apply two filters **one after the other**: first one, then the other on
that result.""",
    ),
    Answer(
        """# Oefening 6: schrijf hier je code. Je uitleg schrijf je als commentaar, na een #.
""",
        """# Exercise 6: write your code here. Write your explanation as a comment, after a #.
""",
        """# Oefening 6: er is geen enkel juist antwoord. Sobel naar rechts en Sobel naar onder
# vinden elk één richting; samen (de lengte van de twee) vinden ze alle randen.
gx = cl.correlate(coins, "sobel-x")
gy = cl.correlate(coins, "sobel-y")
strength = np.hypot(gx, gy)
show(cl.correlate(coins, "edge"), gx, gy, strength, mapping=["abs", "offset", "offset", "clip"],
     titles=["randen", "Sobel rechts", "Sobel onder", "samen"], size=3)
# Na elkaar: eerst Gaussisch vervagen, dan randen: minder ruis, de munten blijven over.
show(cl.correlate(cl.correlate(coins, "gaussian-5"), "edge"), mapping="abs", size=3)""",
        """# Exercise 6: there is no single right answer. Sobel right and Sobel bottom each find
# one direction; together (the length of the two) they find all edges.
gx = cl.correlate(coins, "sobel-x")
gy = cl.correlate(coins, "sobel-y")
strength = np.hypot(gx, gy)
show(cl.correlate(coins, "edge"), gx, gy, strength, mapping=["abs", "offset", "offset", "clip"],
     titles=["edges", "Sobel right", "Sobel bottom", "together"], size=3)
# One after the other: first Gaussian blur, then edges: less noise, the coins remain.
show(cl.correlate(cl.correlate(coins, "gaussian-5"), "edge"), mapping="abs", size=3)""",
    ),
)

# ---- 7. convolution vs correlation -------------------------------------------------------

add(
    Md(
        """## 7. Convolutie of correlatie? De filter spiegelen

Tot nu toe legden we de filter **zoals hij is** op de foto. Dat heet eigenlijk
**correlatie** (`cl.correlate`). Zo doen de demo op de leerpagina en AI-bibliotheken als
PyTorch en TensorFlow het, ook al noemen ze het "convolutie".

Bij een echte **convolutie** (`cl.convolve`, en `scipy.signal.convolve2d` uit de
KIKS-notebook) draai je de filter eerst **een halve slag** (180°): de onderste rij wordt de
bovenste en links wordt rechts. Pas dan vermenigvuldig en tel je op.

Is een filter na een halve slag nog dezelfde (zoals vervagen of randen), dan maakt het niet
uit. Bij andere filters (zoals reliëf of Sobel) wel. We rekenen het uit op een kleine
matrix van 5 × 5 met een filter van 3 × 3:

```
M =  3 1 0 2 1        K =  1 0  2        K een halve slag gedraaid =  0 0 -1
     0 4 2 0 3             0 1  0                                     0 1  0
     1 2 5 1 0            -1 0  0                                     2 0  1
     2 0 0 3 2
     4 1 2 2 0
```""",
        """## 7. Convolution or correlation? Flipping the filter

Until now we laid the filter on the photo **as it is**. That is really called
**correlation** (`cl.correlate`). The demo on the learning page and AI libraries such as
PyTorch and TensorFlow do it that way, even though they call it "convolution".

In a true **convolution** (`cl.convolve`, and `scipy.signal.convolve2d` from the KIKS
notebook) you first turn the filter **half a turn** (180°): the bottom row becomes the top
row and left becomes right. Only then do you multiply and add.

If a filter is still the same after half a turn (like blur or edges), it makes no
difference. For other filters (like emboss or Sobel) it does. We work it out on a small
5 × 5 matrix with a 3 × 3 filter:

```
M =  3 1 0 2 1        K =  1 0  2        K turned half a turn =  0 0 -1
     0 4 2 0 3             0 1  0                                0 1  0
     1 2 5 1 0            -1 0  0                                2 0  1
     2 0 0 3 2
     4 1 2 2 0
```""",
    ),
    Md(
        """**Met de hand**, voor de pixel in het midden van M (rij 2, kolom 2). Het venster van
3 × 3 eromheen is

```
4 2 0
2 5 1
0 0 3
```

- **Correlatie** (K zoals hij is):
  4·1 + 2·0 + 0·2 + 2·0 + 5·1 + 1·0 + 0·(−1) + 0·0 + 3·0 = 4 + 5 = **9**
- **Convolutie** (K gedraaid):
  4·0 + 2·0 + 0·(−1) + 2·0 + 5·1 + 1·0 + 0·2 + 0·0 + 3·1 = 5 + 3 = **8**

Nu controleren we dat met code. `cl.explain` toont het venster, de filter zoals hij gebruikt
wordt, de producten en de som. We vragen de uitvoer zonder opvulling (`padding="valid"`):
die is 3 × 3, en het midden van M hoort bij positie (1, 1).""",
        """**By hand**, for the pixel in the middle of M (row 2, column 2). The 3 × 3 window
around it is

```
4 2 0
2 5 1
0 0 3
```

- **Correlation** (K as it is):
  4·1 + 2·0 + 0·2 + 2·0 + 5·1 + 1·0 + 0·(−1) + 0·0 + 3·0 = 4 + 5 = **9**
- **Convolution** (K turned):
  4·0 + 2·0 + 0·(−1) + 2·0 + 5·1 + 1·0 + 0·2 + 0·0 + 3·1 = 5 + 3 = **8**

Now we check that with code. `cl.explain` shows the window, the filter as it is used, the
products and the sum. We ask for the output without padding (`padding="valid"`): it is
3 × 3, and the middle of M belongs to position (1, 1).""",
    ),
    Code(
        """M = np.array([
    [3, 1, 0, 2, 1],
    [0, 4, 2, 0, 3],
    [1, 2, 5, 1, 0],
    [2, 0, 0, 3, 2],
    [4, 1, 2, 2, 0],
])
K = np.array([
    [1, 0, 2],
    [0, 1, 0],
    [-1, 0, 0],
])
by_hand_correlation = 9
by_hand_convolution = 8

step = cl.explain(M, K, at=(1, 1), mode="correlate", padding="valid")
print("Correlatie")
print(step.table())
assert step.sum == by_hand_correlation

step = cl.explain(M, K, at=(1, 1), mode="convolve", padding="valid")
print()
print("Convolutie")
print(step.table())
assert step.sum == by_hand_convolution""",
        """M = np.array([
    [3, 1, 0, 2, 1],
    [0, 4, 2, 0, 3],
    [1, 2, 5, 1, 0],
    [2, 0, 0, 3, 2],
    [4, 1, 2, 2, 0],
])
K = np.array([
    [1, 0, 2],
    [0, 1, 0],
    [-1, 0, 0],
])
by_hand_correlation = 9
by_hand_convolution = 8

step = cl.explain(M, K, at=(1, 1), mode="correlate", padding="valid")
print("Correlation")
print(step.table())
assert step.sum == by_hand_correlation

step = cl.explain(M, K, at=(1, 1), mode="convolve", padding="valid")
print()
print("Convolution")
print(step.table())
assert step.sum == by_hand_convolution""",
    ),
    Md(
        """De hele uitvoer, met convolab en met `scipy.signal.convolve2d` (zoals in de
KIKS-notebook). Ze geven exact hetzelfde. De KIKS-notebook gebruikt de standaardinstelling
van scipy, `mode="full"`: dan schuift de filter ook half buiten M, met nullen erbuiten. Bij
convolab heet dat `padding="full"`. En: correlatie met de gedraaide filter is precies de
convolutie.""",
        """The whole output, with convolab and with `scipy.signal.convolve2d` (as in the KIKS
notebook). They give exactly the same. The KIKS notebook uses scipy's default,
`mode="full"`: then the filter also slides halfway outside M, with zeros outside. In
convolab that is called `padding="full"`. And: correlation with the turned filter is exactly
the convolution.""",
    ),
    Code(
        """from scipy.signal import convolve2d

print("correlatie:")
print(cl.correlate(M, K, padding="valid"))
print("convolutie:")
print(cl.convolve(M, K, padding="valid"))
print("scipy convolve2d:")
print(convolve2d(M, K, mode="valid"))

turned = np.rot90(K, 2)  # een halve slag: twee keer een kwartslag
assert np.array_equal(cl.convolve(M, K, padding="valid"), convolve2d(M, K, mode="valid"))
assert np.array_equal(cl.convolve(M, K, padding="full"), convolve2d(M, K))
assert np.array_equal(cl.correlate(M, turned, padding="valid"), cl.convolve(M, K, padding="valid"))
print("met padding='full':", cl.convolve(M, K, padding="full").shape)""",
        """from scipy.signal import convolve2d

print("correlation:")
print(cl.correlate(M, K, padding="valid"))
print("convolution:")
print(cl.convolve(M, K, padding="valid"))
print("scipy convolve2d:")
print(convolve2d(M, K, mode="valid"))

turned = np.rot90(K, 2)  # half a turn: two quarter turns
assert np.array_equal(cl.convolve(M, K, padding="valid"), convolve2d(M, K, mode="valid"))
assert np.array_equal(cl.convolve(M, K, padding="full"), convolve2d(M, K))
assert np.array_equal(cl.correlate(M, turned, padding="valid"), cl.convolve(M, K, padding="valid"))
print("with padding='full':", cl.convolve(M, K, padding="full").shape)""",
    ),
    Md(
        """Op een foto: de randdetectie is na een halve slag dezelfde, dus correlatie en
convolutie geven hetzelfde. Sobel naar rechts wordt na een halve slag Sobel naar links:
licht en donker wisselen om.""",
        """On a photo: edge detection is the same after half a turn, so correlation and
convolution give the same. Sobel right turns into Sobel left after half a turn: light and
dark swap.""",
    ),
    Code(
        """same = np.array_equal(cl.correlate(photo, "edge"), cl.convolve(photo, "edge"))
print("randen: correlatie = convolutie?", same)
show(cl.correlate(zoom, "sobel-x"), cl.convolve(zoom, "sobel-x"), mapping="offset",
     titles=["Sobel, correlatie", "Sobel, convolutie"])""",
        """same = np.array_equal(cl.correlate(photo, "edge"), cl.convolve(photo, "edge"))
print("edges: correlation = convolution?", same)
show(cl.correlate(zoom, "sobel-x"), cl.convolve(zoom, "sobel-x"), mapping="offset",
     titles=["Sobel, correlation", "Sobel, convolution"])""",
    ),
    Md(
        """### Stap voor stap
Schuif met de schuifregelaar (of met de pijltjestoetsen) over alle posities, van links naar
rechts en van boven naar onder. Kies correlatie of convolutie en kijk hoe de filter
verandert.""",
        """### Step by step
Slide with the slider (or with the arrow keys) over all positions, from left to right and
from top to bottom. Choose correlation or convolution and watch how the filter changes.""",
    ),
    Code(
        """out_rows, out_cols = cl.correlate(M, K, padding="valid").shape
position = widgets.IntSlider(
    value=0, min=0, max=out_rows * out_cols - 1, description="Positie:", continuous_update=True
)
mode_choice = widgets.ToggleButtons(
    options=[("correlatie", "correlate"), ("convolutie", "convolve")],
    value="correlate",
    description="Soort:",
)
step_info = widgets.Label()
step_table = widgets.HTML()


def update_step(change=None):
    row, col = divmod(position.value, out_cols)
    step = cl.explain(M, K, at=(row, col), mode=mode_choice.value, padding="valid")
    step_info.value = f"uitvoer rij {row}, kolom {col}: som = {step.sum:g}"
    step_table.value = f"<pre>{html.escape(step.table())}</pre>"


position.observe(update_step, names="value")
mode_choice.observe(update_step, names="value")
display(mode_choice, position, step_info, step_table)
update_step()""",
        """out_rows, out_cols = cl.correlate(M, K, padding="valid").shape
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
    step_table.value = f"<pre>{html.escape(step.table())}</pre>"


position.observe(update_step, names="value")
mode_choice.observe(update_step, names="value")
display(mode_choice, position, step_info, step_table)
update_step()""",
    ),
    Md(
        """### ✏️ Oefening 7
Reken met de hand de **convolutie** uit voor de eerste positie, linksboven: het venster is
`M[0:3, 0:3]`. Vergeet niet de filter te draaien! Vul je getal in en voer het vak uit om te
controleren.""",
        """### ✏️ Exercise 7
Work out the **convolution** by hand for the first position, top left: the window is
`M[0:3, 0:3]`. Don't forget to turn the filter! Fill in your number and run the box to
check.""",
    ),
    Answer(
        """# Oefening 7: vul jouw getal in, bijvoorbeeld my_answer = 12
my_answer = None

correct = cl.convolve(M, K, padding="valid")[0, 0]
if my_answer is None:
    print("Nog niet ingevuld.")
elif my_answer == correct:
    print("Juist!")
else:
    print("Nog niet juist. Kijk nog eens naar de gedraaide filter.")""",
        """# Exercise 7: fill in your number, for example my_answer = 12
my_answer = None

correct = cl.convolve(M, K, padding="valid")[0, 0]
if my_answer is None:
    print("Not filled in yet.")
elif my_answer == correct:
    print("Correct!")
else:
    print("Not right yet. Look at the turned filter once more.")""",
        """# Oefening 7: venster 3 1 0 / 0 4 2 / 1 2 5, gedraaide filter 0 0 -1 / 0 1 0 / 2 0 1:
# 3·0 + 1·0 + 0·(−1) + 0·0 + 4·1 + 2·0 + 1·2 + 2·0 + 5·1 = 4 + 2 + 5 = 11
my_answer = 11

correct = cl.convolve(M, K, padding="valid")[0, 0]
if my_answer is None:
    print("Nog niet ingevuld.")
elif my_answer == correct:
    print("Juist!")
else:
    print("Nog niet juist. Kijk nog eens naar de gedraaide filter.")
assert my_answer == correct""",
        """# Exercise 7: window 3 1 0 / 0 4 2 / 1 2 5, turned filter 0 0 -1 / 0 1 0 / 2 0 1:
# 3·0 + 1·0 + 0·(−1) + 0·0 + 4·1 + 2·0 + 1·2 + 2·0 + 5·1 = 4 + 2 + 5 = 11
my_answer = 11

correct = cl.convolve(M, K, padding="valid")[0, 0]
if my_answer is None:
    print("Not filled in yet.")
elif my_answer == correct:
    print("Correct!")
else:
    print("Not right yet. Look at the turned filter once more.")
assert my_answer == correct""",
    ),
)

# ---- 8. borders and output size ------------------------------------------------------------

add(
    Md(
        """## 8. De rand van de foto en de grootte van het resultaat

Aan de rand van de foto steekt de filter erbuiten. Daar kan je twee dingen aan doen:
- **Geen opvulling** (`padding="valid"`): de filter blijft binnen de foto. Het resultaat
  wordt dan wat kleiner.
- **Opvullen** (`padding="same"`): je legt een rand rond de foto, zodat het resultaat even
  groot blijft. Met `padding="full"` schuift de filter zelfs helemaal tot buiten de foto.""",
        """## 8. The border of the photo and the size of the result

At the border of the photo, the filter sticks out. There are two things you can do:
- **No padding** (`padding="valid"`): the filter stays inside the photo. The result then
  gets a bit smaller.
- **Padding** (`padding="same"`): you put a border around the photo, so the result stays
  the same size. With `padding="full"` the filter even slides all the way outside the
  photo.""",
    ),
    Code(
        """print("foto:", photo.shape)
for padding in ["valid", "same", "full"]:
    print(f"{padding:6} 3 × 3: {cl.correlate(photo, 'edge', padding=padding).shape}"
          f"   31 × 31: {cl.correlate(photo, cl.box(31), padding=padding).shape}")""",
        """print("photo:", photo.shape)
for padding in ["valid", "same", "full"]:
    print(f"{padding:6} 3 × 3: {cl.correlate(photo, 'edge', padding=padding).shape}"
          f"   31 × 31: {cl.correlate(photo, cl.box(31), padding=padding).shape}")""",
    ),
    Md(
        """Wat komt er in die rand? Dat kies je met `border`. Hier zie je voor de rij `1 2 3 4 5`
welke getallen links naast de rij komen (vóór de `|`), als de filter 5 breed is:""",
        """What goes into that border? You choose it with `border`. Here you see for the row
`1 2 3 4 5` which numbers are added to its left (before the `|`) when the filter is 5
wide:""",
    ),
    Code(
        """row = np.array([[1, 2, 3, 4, 5]])
for name, b in cl.BORDERS.items():
    window = cl.explain(row, np.ones((1, 5)), at=(0, 0), border=name).window[0]
    print(f"{name:10} {window[0]:g} {window[1]:g} | {window[2]:g} {window[3]:g} {window[4]:g}"
          f"   {b.nl if LANG == 'nl' else b.en}")"""
    ),
    Md(
        """Met een grote vervagingsfilter (31 × 31) zie je het verschil goed: met nullen
(`"zero"`) wordt de rand van het resultaat donker, want er worden zwarte pixels mee
uitgemiddeld. Met spiegelen (`"reflect"`) niet.""",
        """With a large blur filter (31 × 31) you see the difference clearly: with zeros
(`"zero"`) the border of the result turns dark, because black pixels are averaged in. With
mirroring (`"reflect"`) it does not.""",
    ),
    Code(
        """big_blur = cl.box(31)
show(cl.correlate(photo, big_blur, border="zero"), cl.correlate(photo, big_blur, border="reflect"),
     titles=['border="zero"', 'border="reflect"'])""",
    ),
    Md(
        """### De grootte van het resultaat
Ook de **stap** (`stride`: hoeveel pixels de filter telkens opschuift) en de **spreiding**
(`dilation`: de cellen van de filter liggen verder uit elkaar) bepalen hoe groot het
resultaat is. Voor elke richting geldt

o = ⌊(i + 2p − k − (k − 1)(d − 1)) / s⌋ + 1

met i de grootte van de invoer, k de grootte van de filter, p de opvulling aan elke kant,
s de stap en d de spreiding. ⌊ ⌋ betekent: naar beneden afronden.
`cl.explain_output_size` vult de getallen voor je in.""",
        """### The size of the result
The **stride** (how many pixels the filter moves each time) and the **dilation** (the
filter's cells lie further apart) also decide how large the result is. For each direction

o = ⌊(i + 2p − k − (k − 1)(d − 1)) / s⌋ + 1

with i the size of the input, k the size of the filter, p the padding on each side, s the
stride and d the dilation. ⌊ ⌋ means: round down. `cl.explain_output_size` fills in the
numbers for you.""",
    ),
    Code(
        """for padding, stride, dilation in [(0, 1, 1), (1, 1, 1), (1, 2, 1), (0, 1, 2)]:
    size = cl.explain_output_size(512, 3, padding=padding, stride=stride, dilation=dilation)
    print(f"padding={padding}, stride={stride}, dilation={dilation}:")
    print("   ", size.text(LANG))
    result = cl.correlate(photo, "edge", padding=padding, stride=stride, dilation=dilation)
    assert result.shape == (size.value, size.value)"""
    ),
    Md(
        """### ✏️ Oefening 8
Een foto van 28 × 28 pixels, een filter van 5 × 5, geen opvulling en stap 2. Hoe groot is
het resultaat? Reken het eerst uit met de formule. Vul dan je getal in en voer het vak uit.""",
        """### ✏️ Exercise 8
A photo of 28 × 28 pixels, a 5 × 5 filter, no padding and stride 2. How large is the
result? Work it out with the formula first. Then fill in your number and run the box.""",
    ),
    Answer(
        """# Oefening 8: vul jouw getal in.
my_size = None

correct = cl.output_size(28, 5, padding=0, stride=2)
if my_size is None:
    print("Nog niet ingevuld.")
elif my_size == correct:
    print("Juist!")
else:
    print("Nog niet juist. Denk aan het afronden naar beneden.")""",
        """# Exercise 8: fill in your number.
my_size = None

correct = cl.output_size(28, 5, padding=0, stride=2)
if my_size is None:
    print("Not filled in yet.")
elif my_size == correct:
    print("Correct!")
else:
    print("Not right yet. Remember to round down.")""",
        """# Oefening 8: o = ⌊(28 + 0 − 5) / 2⌋ + 1 = ⌊23 / 2⌋ + 1 = 11 + 1 = 12
my_size = 12

correct = cl.output_size(28, 5, padding=0, stride=2)
if my_size is None:
    print("Nog niet ingevuld.")
elif my_size == correct:
    print("Juist!")
else:
    print("Nog niet juist. Denk aan het afronden naar beneden.")
assert my_size == correct
print(cl.explain_output_size(28, 5, padding=0, stride=2).text(LANG))""",
        """# Exercise 8: o = ⌊(28 + 0 − 5) / 2⌋ + 1 = ⌊23 / 2⌋ + 1 = 11 + 1 = 12
my_size = 12

correct = cl.output_size(28, 5, padding=0, stride=2)
if my_size is None:
    print("Not filled in yet.")
elif my_size == correct:
    print("Correct!")
else:
    print("Not right yet. Remember to round down.")
assert my_size == correct
print(cl.explain_output_size(28, 5, padding=0, stride=2).text(LANG))""",
    ),
)

# ---- 9. own photo ---------------------------------------------------------------------------

add(
    Md(
        """## 9. Je eigen foto

Kies een foto van je computer met de knop hieronder en voer daarna het volgende vak uit.
Kies je geen foto, dan gebruiken we de kat.""",
        """## 9. Your own photo

Choose a photo from your computer with the button below, then run the next box. If you
don't choose a photo, we use the cat.""",
    ),
    Code(
        """upload = widgets.FileUpload(accept="image/*", multiple=False, description="Kies een foto")
display(upload)""",
        """upload = widgets.FileUpload(accept="image/*", multiple=False, description="Choose a photo")
display(upload)""",
    ),
    Code(
        """def own_photo():
    \"\"\"De gekozen foto in grijstinten, of de kat als er geen foto gekozen is.\"\"\"
    if upload.value:
        return cl.load_image(upload.value[0]["content"], colour="grey")
    return cl.sample("chelsea", grey=True)


mine = own_photo()
print(mine.shape)
show(mine, cl.correlate(mine, "edge"), cl.correlate(mine, "emboss"), mapping=["clip", "abs", "clip"],
     titles=["jouw foto", "randen", "reliëf"])""",
        """def own_photo():
    \"\"\"The chosen photo in greyscale, or the cat if no photo was chosen.\"\"\"
    if upload.value:
        return cl.load_image(upload.value[0]["content"], colour="grey")
    return cl.sample("chelsea", grey=True)


mine = own_photo()
print(mine.shape)
show(mine, cl.correlate(mine, "edge"), cl.correlate(mine, "emboss"), mapping=["clip", "abs", "clip"],
     titles=["your photo", "edges", "emboss"])""",
    ),
    Md(
        """### ✏️ Oefening 9
Kies een filter (of maak er zelf een) die iets moois of iets nuttigs doet met jouw foto.
Bewaar het resultaat als afbeelding met `cl.save_image("bestandsnaam.png", resultaat)`.""",
        """### ✏️ Exercise 9
Choose a filter (or make one yourself) that does something nice or useful with your photo.
Save the result as an image with `cl.save_image("filename.png", result)`.""",
    ),
    Answer(
        """# Oefening 9: schrijf hier je code.
""",
        """# Exercise 9: write your code here.
""",
        """# Oefening 9: een voorbeeld. Eerst vervagen, dan reliëf; bewaard met "clip".
result = cl.correlate(cl.correlate(mine, "gaussian-3"), "emboss")
saved = cl.save_image("mijn_relief.png", result)
show(mine, cl.load_image(saved), titles=["jouw foto", "bewaard"])
assert np.array_equal(cl.load_image(saved), cl.to_display(result))""",
        """# Exercise 9: an example. Blur first, then emboss; saved with "clip".
result = cl.correlate(cl.correlate(mine, "gaussian-3"), "emboss")
saved = cl.save_image("my_emboss.png", result)
show(mine, cl.load_image(saved), titles=["your photo", "saved"])
assert np.array_equal(cl.load_image(saved), cl.to_display(result))""",
    ),
)

# ---- 10. the layer that learns its filter ------------------------------------------------

add(
    Md(
        """## 10. De laag die zelf een filter leert

In een neuraal netwerk kiest niemand de getallen van de filter. Een **convolutionele laag**
begint met willekeurige getallen en leert de juiste zelf.

Dat proberen we hier. We verstoppen een filter (Sobel naar rechts). De laag ziet de foto en
het resultaat van de verstopte filter, maar niet de filter zelf. Na elke stap past ze haar
9 getallen een klein beetje aan, zodat haar resultaat meer lijkt op het gewenste resultaat.
Dat heet **gradient descent**: stap voor stap afdalen naar een kleinere fout.""",
        """## 10. The layer that learns its own filter

In a neural network nobody chooses the numbers of the filter. A **convolutional layer**
starts with random numbers and learns the right ones itself.

We try that here. We hide a filter (Sobel right). The layer sees the photo and the result
of the hidden filter, but not the filter itself. After each step it changes its 9 numbers a
little, so that its result looks more like the wanted result. That is called **gradient
descent**: step by step going down to a smaller error.""",
    ),
    Code(
        """from convolab.learn import FilterLearner

hidden = "sobel-x"
learner = FilterLearner(hidden, image="grass", size=64)
start = learner.kernel
state = learner.fit(max_steps=300)
print(f"Na {state.step} stappen is de grootste fout {state.max_abs_error:.4f}.")
print("geleerd:")
print_grid(state.kernel.round(2) + 0.0)  # + 0.0 maakt van -0 gewoon 0
print("verstopt:")
print_grid(cl.kernel(hidden))""",
        """from convolab.learn import FilterLearner

hidden = "sobel-x"
learner = FilterLearner(hidden, image="grass", size=64)
start = learner.kernel
state = learner.fit(max_steps=300)
print(f"After {state.step} steps the largest error is {state.max_abs_error:.4f}.")
print("learned:")
print_grid(state.kernel.round(2) + 0.0)  # + 0.0 turns -0 into plain 0
print("hidden:")
print_grid(cl.kernel(hidden))""",
    ),
    Code(
        '''def show_kernels(kernels, titles):
    """Filters als gekleurde vakjes met hun getallen: rood positief, blauw negatief."""
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


show_kernels([start, state.kernel, cl.kernel(hidden).values], ["begin", "geleerd", "verstopt"])
plt.figure(figsize=(6, 2.5))
plt.plot(learner.history)
plt.yscale("log")
plt.xlabel("stap")
plt.ylabel("fout (loss)")
plt.show()''',
        '''def show_kernels(kernels, titles):
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
plt.figure(figsize=(6, 2.5))
plt.plot(learner.history)
plt.yscale("log")
plt.xlabel("step")
plt.ylabel("error (loss)")
plt.show()''',
    ),
    Md(
        """### Hetzelfde in gewoon PyTorch
`FilterLearner` doet niets geheims. Dit is dezelfde training in een tiental regels PyTorch,
de bibliotheek waarmee echte neurale netwerken gemaakt worden. De laag `nn.Conv2d` doet
**correlatie** (deel 7): ze leert de verstopte filter zoals hij is, niet gedraaid.""",
        """### The same in plain PyTorch
`FilterLearner` does nothing secret. This is the same training in about ten lines of
PyTorch, the library real neural networks are made with. The layer `nn.Conv2d` does
**correlation** (part 7): it learns the hidden filter as it is, not turned.""",
    ),
    Code(
        """import torch
from torch import nn

crop = cl.sample("grass")[224:288, 224:288].astype(float)
x = (crop - crop.mean()) / crop.std()  # gemiddelde 0, spreiding 1: zo leert een netwerk vlotter
wanted = cl.correlate(x, hidden, padding="valid")  # wat de laag moet leren maken
x_t = torch.tensor(x, dtype=torch.float32)[None, None]  # vorm (1, 1, 64, 64): 1 foto, 1 kanaal
wanted_t = torch.tensor(wanted, dtype=torch.float32)[None, None]

torch.manual_seed(0)
layer = nn.Conv2d(1, 1, kernel_size=3, bias=False)
optimizer = torch.optim.Adam(layer.parameters(), lr=0.1)
for step in range(300):
    optimizer.zero_grad()
    loss = torch.mean((layer(x_t) - wanted_t) ** 2)  # de fout: gemiddelde van de kwadraten
    loss.backward()  # in welke richting moet elk getal van de filter?
    optimizer.step()  # een klein stapje in die richting
    if step % 100 == 0:
        print(f"stap {step}: fout {loss.item():.3g}")

learned = layer.weight.detach()[0, 0].numpy()
print_grid(learned.round(2) + 0.0)
assert np.abs(learned - cl.kernel(hidden).values).max() < 0.05""",
        """import torch
from torch import nn

crop = cl.sample("grass")[224:288, 224:288].astype(float)
x = (crop - crop.mean()) / crop.std()  # mean 0, spread 1: a network learns faster like this
wanted = cl.correlate(x, hidden, padding="valid")  # what the layer must learn to make
x_t = torch.tensor(x, dtype=torch.float32)[None, None]  # shape (1, 1, 64, 64): 1 photo, 1 channel
wanted_t = torch.tensor(wanted, dtype=torch.float32)[None, None]

torch.manual_seed(0)
layer = nn.Conv2d(1, 1, kernel_size=3, bias=False)
optimizer = torch.optim.Adam(layer.parameters(), lr=0.1)
for step in range(300):
    optimizer.zero_grad()
    loss = torch.mean((layer(x_t) - wanted_t) ** 2)  # the error: mean of the squares
    loss.backward()  # which way should each number of the filter go?
    optimizer.step()  # a small step that way
    if step % 100 == 0:
        print(f"step {step}: error {loss.item():.3g}")

learned = layer.weight.detach()[0, 0].numpy()
print_grid(learned.round(2) + 0.0)
assert np.abs(learned - cl.kernel(hidden).values).max() < 0.05""",
    ),
    Md(
        """### ✏️ Oefening 10
Laat de laag een andere filter vinden: kies een naam uit de lijst van deel 6, of typ zelf
getallen, zoals `"1 0 -1; 1 0 -1; 1 0 -1"`. Probeer daarna `"mirror"`: het spiegelbeeld
van de foto (links en rechts omgewisseld). Lukt dat ook? Waarom wel of niet?""",
        """### ✏️ Exercise 10
Let the layer find another filter: choose a name from the list in part 6, or type numbers
yourself, such as `"1 0 -1; 1 0 -1; 1 0 -1"`. Then try `"mirror"`: the mirror image of the
photo (left and right swapped). Does that work too? Why or why not?""",
    ),
    Answer(
        """# Oefening 10: kies een filter en voer het vak uit.
target = "emboss"
state2 = FilterLearner(target, image="grass", size=64).fit(max_steps=300)
print(state2.status, "na", state2.step, "stappen")
print_grid(state2.kernel.round(2) + 0.0)""",
        """# Exercise 10: choose a filter and run the box.
target = "emboss"
state2 = FilterLearner(target, image="grass", size=64).fit(max_steps=300)
print(state2.status, "after", state2.step, "steps")
print_grid(state2.kernel.round(2) + 0.0)""",
        """# Oefening 10: elke filter van 3 × 3 vindt de laag terug.
for target in ["emboss", "1 0 -1; 1 0 -1; 1 0 -1"]:
    state2 = FilterLearner(target, image="grass", size=64).fit(max_steps=300)
    print(target, ":", state2.status, "na", state2.step, "stappen")
    assert state2.converged
# Spiegelen lukt niet: een pixel helemaal links moet naar rechts, veel verder dan een filter
# van 3 × 3 reikt. Geen enkele filter kan dat; de fout blijft hoog.
mirror = FilterLearner("mirror", image="grass", size=64)
state3 = mirror.fit(max_steps=300)
print(f"mirror: de beste filter verklaart maar {mirror.explained:.0%} van het resultaat")
assert not state3.achievable""",
        """# Exercise 10: the layer finds every 3 × 3 filter back.
for target in ["emboss", "1 0 -1; 1 0 -1; 1 0 -1"]:
    state2 = FilterLearner(target, image="grass", size=64).fit(max_steps=300)
    print(target, ":", state2.status, "after", state2.step, "steps")
    assert state2.converged
# Mirroring does not work: a pixel far on the left must go to the right, much further than a
# 3 × 3 filter reaches. No filter can do that; the error stays high.
mirror = FilterLearner("mirror", image="grass", size=64)
state3 = mirror.fit(max_steps=300)
print(f"mirror: the best filter explains only {mirror.explained:.0%} of the result")
assert not state3.achievable""",
    ),
)

# ---- 11. signals ---------------------------------------------------------------------------

add(
    Md(
        """## 11. Signalen

Convoluties werken niet alleen op foto's. Een **signaal** is een rij metingen na elkaar:
een hartfilmpje (ECG), geluid, de temperatuur, een aandelenkoers. De filter is dan een
rijtje getallen dat langs het signaal schuift. Hetzelfde idee, met één dimensie minder.

Het gemiddelde van 9 metingen na elkaar (`moving_average(9)`) strijkt de ruis van een
hartfilmpje glad.""",
        """## 11. Signals

Convolutions don't only work on photos. A **signal** is a row of measurements one after the
other: a heart recording (ECG), sound, the temperature, a share price. The filter is then a
short row of numbers that slides along the signal. The same idea, with one dimension less.

The average of 9 measurements in a row (`moving_average(9)`) smooths the noise out of a
heart recording.""",
    ),
    Code(
        """from convolab import signals as sg

ecg = sg.signal("ecg")
print(ecg.info.about_nl if LANG == "nl" else ecg.info.about_en)
first = ecg.values[: 5 * 360]  # de eerste 5 seconden: 360 metingen per seconde
seconds = ecg.times[: 5 * 360]
smooth = sg.correlate1d(first, sg.moving_average(9))
plt.figure(figsize=(10, 3))
plt.plot(seconds, first, lw=0.8, label="ECG")
plt.plot(seconds, smooth, lw=1.5, label="gemiddelde van 9")
plt.xlabel("seconden")
plt.ylabel("mV")
plt.legend()
plt.show()""",
        """from convolab import signals as sg

ecg = sg.signal("ecg")
print(ecg.info.about_nl if LANG == "nl" else ecg.info.about_en)
first = ecg.values[: 5 * 360]  # the first 5 seconds: 360 measurements per second
seconds = ecg.times[: 5 * 360]
smooth = sg.correlate1d(first, sg.moving_average(9))
plt.figure(figsize=(10, 3))
plt.plot(seconds, first, lw=0.8, label="ECG")
plt.plot(seconds, smooth, lw=1.5, label="average of 9")
plt.xlabel("seconds")
plt.ylabel("mV")
plt.legend()
plt.show()""",
    ),
    Md(
        """**Hartslagen tellen** kan ook met convoluties: neem het verschil met de vorige meting
(zo vallen de steile pieken op), maak alles positief (kwadrateren), neem het gemiddelde over
150 milliseconden (één heuvel per hartslag) en tel de heuvels boven een drempel.
`sg.detect_beats` doet die stappen (naar Pan en Tompkins, 1985).""",
        """**Counting heartbeats** works with convolutions too: take the difference with the
previous measurement (that makes the steep spikes stand out), make everything positive
(squaring), take the average over 150 milliseconds (one hill per heartbeat) and count the
hills above a threshold. `sg.detect_beats` does those steps (after Pan and Tompkins, 1985).""",
    ),
    Code(
        """beats = sg.detect_beats(ecg)
minutes = ecg.duration / 60
print(f"{len(beats.peaks)} hartslagen in {minutes:.0f} minuten: {beats.bpm:.0f} per minuut")
ten = 10 * 360
found = beats.peaks[beats.peaks < ten]
plt.figure(figsize=(10, 3))
plt.plot(ecg.times[:ten], ecg.values[:ten], lw=0.8)
plt.plot(ecg.times[found], ecg.values[found], "o", color="red", label="hartslag")
plt.xlabel("seconden")
plt.ylabel("mV")
plt.legend()
plt.show()""",
        """beats = sg.detect_beats(ecg)
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
plt.show()""",
    ),
    Md(
        """Een **voortschrijdend gemiddelde** op een aandelenkoers: elke maand het gemiddelde van
de laatste 12 maanden. Het kijkt alleen naar het verleden (niemand kent de koers van
volgende maand), daarom gebruiken we `trailing1d`. Zie je dat het gemiddelde wat achterloopt?""",
        """A **moving average** of a share price: every month the average of the last 12 months. It
only looks at the past (nobody knows next month's price), that is why we use `trailing1d`.
Do you see that the average lags a little behind?""",
    ),
    Code(
        """apple = sg.signal("price-aapl")
average = sg.trailing1d(apple, sg.moving_average(12))
plt.figure(figsize=(10, 3))
plt.plot(apple.dates, apple.values, label="Apple")
plt.plot(apple.dates, average, label="gemiddelde van 12 maanden")
plt.ylabel("USD")
plt.legend()
plt.show()""",
        """apple = sg.signal("price-aapl")
average = sg.trailing1d(apple, sg.moving_average(12))
plt.figure(figsize=(10, 3))
plt.plot(apple.dates, apple.values, label="Apple")
plt.plot(apple.dates, average, label="average of 12 months")
plt.ylabel("USD")
plt.legend()
plt.show()""",
    ),
    Md(
        """### ✏️ Oefening 11
Neem het gemiddelde over 3 en over 25 metingen van de eerste 5 seconden van het ECG. Wat
gebeurt er met de ruis? En met de hoge, smalle pieken van de hartslagen?""",
        """### ✏️ Exercise 11
Take the average over 3 and over 25 measurements of the first 5 seconds of the ECG. What
happens to the noise? And to the high, narrow spikes of the heartbeats?""",
    ),
    Answer(
        """# Oefening 11: probeer n = 3 en n = 25.
n = 9
plt.figure(figsize=(10, 3))
plt.plot(seconds, sg.correlate1d(first, sg.moving_average(n)))
plt.show()""",
        """# Exercise 11: try n = 3 and n = 25.
n = 9
plt.figure(figsize=(10, 3))
plt.plot(seconds, sg.correlate1d(first, sg.moving_average(n)))
plt.show()""",
        """# Oefening 11: met 3 blijft er ruis over. Met 25 (70 milliseconden) is de ruis weg, maar
# de smalle pieken worden lager en breder: ze worden mee uitgesmeerd.
plt.figure(figsize=(10, 3))
for n in [3, 25]:
    plt.plot(seconds, sg.correlate1d(first, sg.moving_average(n)), label=f"n = {n}")
plt.legend()
plt.show()
peak_3 = sg.correlate1d(first, sg.moving_average(3)).max()
peak_25 = sg.correlate1d(first, sg.moving_average(25)).max()
print(f"hoogste piek: {peak_3:.2f} mV met 3, {peak_25:.2f} mV met 25")
assert peak_25 < peak_3""",
        """# Exercise 11: with 3 some noise is left. With 25 (70 milliseconds) the noise is gone, but
# the narrow spikes get lower and wider: they are smeared out as well.
plt.figure(figsize=(10, 3))
for n in [3, 25]:
    plt.plot(seconds, sg.correlate1d(first, sg.moving_average(n)), label=f"n = {n}")
plt.legend()
plt.show()
peak_3 = sg.correlate1d(first, sg.moving_average(3)).max()
peak_25 = sg.correlate1d(first, sg.moving_average(25)).max()
print(f"highest spike: {peak_3:.2f} mV with 3, {peak_25:.2f} mV with 25")
assert peak_25 < peak_3""",
    ),
)

# ---- the end ----------------------------------------------------------------------------------

add(
    Md(
        """## Wat heb je geleerd?

- Een foto is een raster van getallen; een filter ook.
- Een convolutie schuift de filter over de foto: vermenigvuldigen en optellen geeft één
  nieuwe pixel.
- Met andere getallen in de filter vind je randen, lijnen in een richting, of maak je de
  foto zachter of scherper.
- Een resultaat kan negatief zijn of boven 255 komen: `"clip"`, `"abs"` en `"offset"` zijn
  drie manieren om het toch te tonen.
- Bij een echte convolutie draai je de filter een halve slag; AI-bibliotheken doen dat niet
  (correlatie).
- Opvulling, stap en spreiding bepalen hoe groot het resultaat is.

- Een **convolutionele laag** leert de getallen van haar filter zelf, stap voor stap.
- Dezelfde convoluties werken ook op signalen: een hartfilmpje, een koers, geluid.""",
        """## What have you learned?

- A photo is a grid of numbers; so is a filter.
- A convolution slides the filter over the photo: multiplying and adding gives one new
  pixel.
- With other numbers in the filter you find edges, lines in one direction, or make the
  photo softer or sharper.
- A result can be negative or go above 255: `"clip"`, `"abs"` and `"offset"` are three ways
  to show it anyway.
- In a true convolution you turn the filter half a turn; AI libraries don't (correlation).
- Padding, stride and dilation decide how large the result is.

- A **convolutional layer** learns the numbers of its filter itself, step by step.
- The same convolutions work on signals too: a heart recording, a price, sound.""",
    ),
)


# --------------------------------------------------------------------------------------
# Writing the notebooks
# --------------------------------------------------------------------------------------


def build(lang: str, role: str) -> nbformat.NotebookNode:
    """The notebook for one language ("nl"/"en") and role ("pupil"/"teacher")."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
        "convolab": {"lang": lang, "role": role, "built_by": "notebooks/build.py"},
    }
    cells = []
    exercise = 0
    for item in CELLS:
        if isinstance(item, Md):
            text = getattr(item, lang)
            tags = ["exercise"] if text.lstrip().startswith("### ✏️") else []
            cells.append(nbformat.v4.new_markdown_cell(text, metadata=_tags(tags)))
        elif isinstance(item, TeacherNote):
            if role == "teacher":
                cells.append(
                    nbformat.v4.new_markdown_cell(
                        getattr(item, lang), metadata=_tags(["teacher-note"])
                    )
                )
        elif isinstance(item, Code):
            source = item.nl if lang == "nl" or item.en is None else item.en
            cells.append(nbformat.v4.new_code_cell(source))
        elif isinstance(item, Answer):
            exercise += 1
            source = getattr(item, f"{role}_{lang}")
            cells.append(
                nbformat.v4.new_code_cell(
                    source, metadata=_tags(["answer", f"exercise-{exercise}"])
                )
            )
        else:  # pragma: no cover - a programming error in this file
            raise TypeError(f"unknown cell kind {item!r}")
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: the files only change when the content does
    nb.cells = cells
    nb = nbformat.from_dict(nb)
    nbformat.validate(nb)
    return nb


def _tags(tags: list[str]) -> dict:
    return {"tags": tags} if tags else {}


def render(lang: str, role: str) -> str:
    """The .ipynb text as written to disk."""
    return json.dumps(build(lang, role), indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    for (lang, role), path in FILES.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(lang, role), encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
