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
# # Convoluties in Python
#
# Welkom! In deze notebook pas je zelf **convoluties** toe op foto's. Je gebruikt Python en
# de bibliotheek **convolab**. Een convolutie schuift een **filter** (een klein raster van
# getallen) over een foto. Op elke plek vermenigvuldig je de pixels onder de filter met de
# getallen van de filter en tel je alles op. Zo krijg je één nieuwe pixel.
#
# **Zo werkt een notebook**: een grijs vak is code. Klik erin en druk op **Shift + Enter**
# om het uit te voeren. Voer de vakken uit van boven naar onder.
#
# Na elk deel staat een **✏️ Oefening**. Je schrijft je antwoord in het lege codevak eronder.
#
# **Tijd**: ongeveer 60 minuten, of twee keer een half lesuur. Een deel met **Verdieping** in de
# titel mag je overslaan; dat telt niet mee in die tijd.
#
# Wat je leert:
# 1. Foto's inladen en tonen
# 2. Randen vinden
# 3. Verticale en horizontale lijnen
# 4. Diagonalen
# 5. Vervagen, vervagen en dan randen, verscherpen
# 6. Kant-en-klare filters (met een keuzelijst en je eigen filter)
# 7. Convolutie of correlatie? De filter 180° draaien, met de hand uitgerekend
# 8. De rand van de foto en de grootte van het resultaat
# 9. Je eigen foto
# 10. De laag die zelf een filter leert
# 11. Signalen: hartslag en koersen
#
# **Bronnen en licentie.** Deze notebook volgt de opbouw en de 15 filters van de KIKS-notebook
# "Convolutie" van Francis wyffels en Natacha Gesquière (Dwengo vzw, project KIKS), gedeeld onder
# [CC BY-NC-SA 4.0](https://creativecommons.org/licenses/by-nc-sa/4.0/deed.nl). Daarom valt deze
# notebook ook onder **CC BY-NC-SA 4.0**: je mag hem delen en aanpassen, niet commercieel, met
# vermelding van de makers en onder dezelfde licentie. De code van de bibliotheek convolab zelf
# is MIT. De foto's komen uit scikit-image: de fotograaf, de bakstenen en het gras (CC0), de
# munten (Brooklyn Museum, zonder bekende beperkingen), de raket (SpaceX, publiek domein) en de
# astronaut (NASA, publiek domein). Het hartfilmpje komt uit de MIT-BIH Arrhythmia Database
# (PhysioNet, ODC-By 1.0), de koersen uit vega_datasets (MIT).

# %% [markdown] tags=["teacher-note"]
# > **Versie voor de leraar.** Deze notebook is gelijk aan die van de leerlingen, maar de
# > codevakken van de oefeningen bevatten een antwoord, met uitleg in commentaar. Een vak met
# > `assert` controleert het antwoord: de notebook loopt alleen zonder fouten als alle
# > antwoorden kloppen.

# %% [markdown]
# Eerst laden we de bibliotheken en maken we een hulpfunctie `show` die foto's naast
# elkaar toont.

# %%
import matplotlib.pyplot as plt
import numpy as np

import convolab as cl

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
    return "\n".join(
        " ".join(f"{v:>6}" if isinstance(v, str) else f"{v:>6g}" for v in row) for row in rows
    )


def print_grid(grid):
    """Druk een raster van getallen netjes af."""
    print(grid_text(grid))


def step_text(step):
    """Eén stap als tekst: venster (invoer) × filter = producten, en de som."""
    blocks = [grid_text(a).split("\n") for a in (step.window, step.kernel, step.products)]
    rows = ["   ".join(parts) for parts in zip(*blocks, strict=True)]
    head = "venster (invoer)   ×   filter   =   producten"
    return "\n".join([head, *rows, f"som = {step.sum:g}  →  pixel {int(step.value)}"])


# %% [markdown]
# ## 1. Foto's inladen en tonen
#
# Voor een computer is een foto in grijstinten een **raster van getallen**: één getal per
# pixel, van **0 (zwart)** tot **255 (wit)**. convolab heeft een paar echte foto's bij zich.
# Dit zijn ze:

# %%
for s in cl.samples():
    print(f"{s.id:10} {s.name_nl if LANG == 'nl' else s.name_en}")

# %% [markdown]
# We laden de foto van de fotograaf (`"camera"`). `shape` zegt hoeveel rijen en kolommen
# pixels ze heeft. Daarna drukken we een klein stukje van 5 bij 5 pixels af: het zijn echt
# gewoon getallen.

# %%
photo = cl.sample("camera")
print(photo.shape, photo.dtype)
print(photo[200:205, 200:205])
show(photo)

# %% [markdown]
# Nog drie foto's: bakstenen, munten en een raket. Een kleurenfoto maken we grijs met
# `grey=True`.

# %%
bricks = cl.sample("brick")
coins = cl.sample("coins")
rocket = cl.sample("rocket", grey=True)
show(bricks, coins, rocket, titles=["bakstenen", "munten", "raket"])

# %% [markdown] tags=["exercise"]
# ### ✏️ Oefening 1
# Laad de foto `"astronaut"` in grijstinten. Hoeveel rijen en kolommen heeft ze? Wat is de
# waarde van de pixel in rij 100, kolom 200? Is die pixel eerder licht of eerder donker?

# %% tags=["answer", "exercise-1", "pupil"]
# Oefening 1: schrijf hier je code.
astronaut = None  # vervang None door cl.sample(...)

# %% tags=["answer", "exercise-1", "teacher"]
# Oefening 1: een mogelijk antwoord.
astronaut = cl.sample("astronaut", grey=True)
print(astronaut.shape)  # (512, 512): 512 rijen en 512 kolommen
print(astronaut[100, 200])  # boven 128 is eerder licht, onder 128 eerder donker
show(astronaut)
assert astronaut.shape == (512, 512)

# %% [markdown]
# ## 2. Randen
#
# Deze filter vindt **randen**: plekken waar een pixel anders is dan zijn buren. Het midden
# telt 8 keer, de 8 buren tellen elk −1 mee. Is alles rond een pixel even licht, dan is de
# som 0. Bij een rand is de som groot.
#
# `cl.correlate(foto, filter)` schuift de filter over de hele foto.

# %%
edge = cl.kernel("edge")
print(edge.name(LANG), "-", edge.about(LANG))
print_grid(edge)
edges = cl.correlate(photo, edge)
print("kleinste waarde:", edges.min(), " grootste waarde:", edges.max())
show(photo, edges, titles=["foto", "randen"])

# %% [markdown]
# Het resultaat bevat ook **negatieve getallen** en getallen **boven 255**. Een pixel kan
# dat niet tonen. Er zijn verschillende manieren om er toch pixels van te maken:
# - `"clip"`: alles onder 0 wordt 0 (zwart), alles boven 255 wordt 255 (wit). Zo deed je het
#   hierboven.
# - `"abs"`: we laten het minteken weg, zodat ook negatieve randen licht worden.
# - `"offset"`: 0 wordt middengrijs; positief is lichter, negatief is donkerder. De grootste
#   waarde (hier 1001) wordt wit. De meeste randen zijn veel zwakker en worden dus maar een
#   beetje lichter of donkerder dan grijs. Met `value_range=(-200, 200)` wordt 200 al wit en
#   -200 al zwart: dan zie je ook de zwakkere randen.

# %%
OFFSET_200 = "offset, tot ±200"
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
# ### ✏️ Oefening 2
# Tel met code alle getallen van de randfilter op (`edge.values.sum()`). Leg uit waarom een
# effen stuk van een foto (overal dezelfde grijswaarde) zwart wordt. Probeer de filter daarna
# op de munten (`coins`).

# %% tags=["answer", "exercise-2", "pupil"]
# Oefening 2: schrijf hier je code. Je uitleg schrijf je als commentaar, na een #.


# %% tags=["answer", "exercise-2", "teacher"]
# Oefening 2: een mogelijk antwoord.
print(edge.values.sum())  # 0
# Bij een effen stuk zijn alle 9 pixels gelijk, zeg p. De som is dan 8·p − 8·p = 0: zwart.
flat = np.full((5, 5), 100)
print(cl.correlate(flat, edge, padding="valid"))  # allemaal 0
assert edge.values.sum() == 0
assert np.all(cl.correlate(flat, edge, padding="valid") == 0)
show(coins, cl.correlate(coins, edge), mapping="abs", titles=["munten", "randen"])

# %% [markdown]
# ## 3. Verticale en horizontale lijnen
#
# In elke rij van deze filter staat `-1 0 1`: de pixel **rechts min de pixel links**. Wordt
# de foto van links naar rechts lichter, dan is het resultaat positief. Wordt ze donkerder,
# dan is het negatief. Zo vind je **verticale** lijnen.
#
# Met `"offset"` zie je allebei: lichter dan grijs is positief, donkerder is negatief.

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
    titles=["bakstenen", "verticale lijnen"],
)

# %% [markdown] tags=["exercise"]
# ### ✏️ Oefening 3
# Maak zelf een filter die **horizontale** lijnen vindt. Tip: draai de filter voor verticale
# lijnen een kwartslag. Vul de getallen in en voer het vak uit.

# %% tags=["answer", "exercise-3", "pupil"]
# Oefening 3: vul de juiste getallen in.
horizontal = np.array(
    [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
    ]
)
show(bricks, cl.correlate(bricks, horizontal), mapping=["clip", "offset"])

# %% tags=["answer", "exercise-3", "teacher"]
# Oefening 3: onder min boven. (Boven +1 en onder -1 mag ook: dan wisselen licht en donker.)
horizontal = np.array(
    [
        [-1, -1, -1],
        [0, 0, 0],
        [1, 1, 1],
    ]
)
show(bricks, cl.correlate(bricks, horizontal), mapping=["clip", "offset"])
# Het is de filter "horizontal-lines" uit de lijst van convolab:
assert np.array_equal(horizontal, cl.kernel("horizontal-lines").values)

# %% [markdown]
# ## 4. Diagonalen
#
# Deze twee filters vergelijken twee hoeken van het venster van 3 × 3: linksboven met
# rechtsonder, of rechtsboven met linksonder. Zo vallen **schuine** randen op.

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
    titles=["foto", down.name(LANG), up.name(LANG)],
)

# %% [markdown] tags=["exercise"]
# ### ✏️ Oefening 4
# Maak een diagonale filter met −1 en 1 in plaats van −5 en 5. Vergelijk de getallen van
# beide resultaten. Wat zie je met `"offset"`? En met `"clip"`?

# %% tags=["answer", "exercise-4", "pupil"]
# Oefening 4: vul de juiste getallen in.
small = np.array(
    [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
    ]
)
show(cl.correlate(photo, down), cl.correlate(photo, small), mapping="offset")

# %% tags=["answer", "exercise-4", "teacher"]
# Oefening 4: elk getal van het resultaat wordt 5 keer kleiner.
small = np.array(
    [
        [-1, 0, 0],
        [0, 0, 0],
        [0, 0, 1],
    ]
)
show(cl.correlate(photo, down), cl.correlate(photo, small), mapping="offset")
assert np.allclose(cl.correlate(photo, down), 5 * cl.correlate(photo, small))
# Met "offset" zien beide er hetzelfde uit: de grootste waarde wordt altijd wit of zwart.
# Met "clip" is de kleine filter veel zwakker: de meeste waarden blijven dicht bij 0 (zwart).
show(cl.correlate(photo, down), cl.correlate(photo, small), mapping="clip")

# %% [markdown]
# ## 5. Vervagen, vervagen en dan randen, verscherpen
#
# Deze filter neemt een **gewogen gemiddelde**: de pixel zelf telt 5 keer, elke buur 1 keer.
# Samen is dat 13, dus delen we door 13. Kleine details (en ruis) worden zo uitgesmeerd.

# %%
smooth = cl.kernel("smooth")
print_grid(smooth)
show(
    photo,
    cl.correlate(photo, smooth),
    cl.correlate(photo, cl.gaussian(9, 2.0)),
    titles=["foto", "gladgestreken", "sterker: gaussian(9, 2)"],
)

# %% [markdown]
# Een foto met **ruis** (kleine willekeurige vlekjes, zoals bij een foto in het donker)
# geeft overal kleine randjes. Strijk je eerst glad, dan blijven vooral de echte randen over.

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
    titles=["met ruis", "randen", "eerst gladgestreken, dan randen"],
)

# %% [markdown]
# **Verscherpen** doet het omgekeerde: 5 keer de pixel min zijn 4 buren. Dat is de pixel
# zelf plus hoeveel hij verschilt van zijn buren. Verschillen worden groter, details scherper.
# We zoomen in op het gezicht en de camera.

# %%
sharpen = cl.kernel("sharpen")
print_grid(sharpen)
zoom = photo[60:230, 160:330]
show(zoom, cl.correlate(zoom, sharpen), titles=["foto", "verscherpt"])

# %% [markdown] tags=["exercise"]
# ### ✏️ Oefening 5
# Waarom delen we door 13 bij de filter om glad te strijken? Wat gebeurt er als je dat
# vergeet? Probeer het met de filter `[[1, 1, 1], [1, 5, 1], [1, 1, 1]]`.

# %% tags=["answer", "exercise-5", "pupil"]
# Oefening 5: schrijf hier je code. Je uitleg schrijf je als commentaar, na een #.


# %% tags=["answer", "exercise-5", "teacher"]
# Oefening 5: de gewichten zijn samen 13. Delen door 13 maakt er een gemiddelde van,
# zodat de foto even licht blijft. Zonder delen wordt elke pixel ongeveer 13 keer zo licht:
# bijna alles komt boven 255 en wordt wit.
not_divided = cl.correlate(photo, [[1, 1, 1], [1, 5, 1], [1, 1, 1]])
show(photo, not_divided, titles=["foto", "niet gedeeld door 13"])
print("gemiddelde foto:", photo.mean(), " zonder delen:", not_divided.mean())
assert smooth.values.sum() == 1
assert abs(not_divided.mean() / cl.correlate(photo, smooth).mean() - 13) < 1e-9

# %% [markdown]
# ## 6. Kant-en-klare filters
#
# convolab kent een hele lijst filters, elk met een naam en een korte uitleg. Je gebruikt ze
# met hun naam, bijvoorbeeld `cl.kernel("sobel-x")` of meteen `cl.correlate(foto, "sobel-x")`.

# %%
for k in cl.kernels():
    print(f"{k.id:18} {k.name(LANG):26} {k.about(LANG)}")

# %% [markdown]
# Alle filters op een stukje van de foto. Elke filter gebruikt de manier van tonen die bij
# hem past (`k.display`): randfilters bijvoorbeeld met `"abs"` of `"offset"`.

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
# ### Kies een filter
# Kies een filter in de keuzelijst (met de muis, of met Tab en de pijltjestoetsen). De foto
# wordt meteen opnieuw berekend.

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
# ### Maak je eigen filter
# Typ een filter in het tekstvak: de rijen onder elkaar (of gescheiden door `;`), de getallen
# gescheiden door spaties. Breuken mogen ook, zoals `1/9`. Klik daarna buiten het vak of druk
# op Tab.

# %%
kernel_text = widgets.Textarea(
    value="0 -1 0\n-1 5 -1\n0 -1 0",
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
    kernel_message.value = f"Filter van {k.shape[0]} × {k.shape[1]}; de som is {k.sum():g}"
    kernel_result.value = cl.encode_image(result, mapping=display_choice.value)


kernel_text.observe(update_kernel, names="value")
display_choice.observe(update_kernel, names="value")
display(kernel_text, display_choice, kernel_message, widgets.HBox([filter_photo, kernel_result]))
update_kernel()

# %% [markdown] tags=["exercise"]
# ### ✏️ Oefening 6
# Welke filter laat de randen van de munten het best zien? Probeer er minstens drie, met de
# keuzelijst of met code. Pas daarna twee filters **na elkaar** toe: eerst de ene, dan op dat
# resultaat de andere.

# %% tags=["answer", "exercise-6", "pupil"]
# Oefening 6: schrijf hier je code. Je uitleg schrijf je als commentaar, na een #.


# %% tags=["answer", "exercise-6", "teacher"]
# Oefening 6: er is geen enkel juist antwoord. Sobel naar rechts en Sobel naar onder
# vinden elk één richting; samen (de lengte van de twee) vinden ze alle randen.
gx = cl.correlate(coins, "sobel-x")
gy = cl.correlate(coins, "sobel-y")
strength = np.hypot(gx, gy)
show(
    cl.correlate(coins, "edge"),
    gx,
    gy,
    strength,
    mapping=["abs", "offset", "offset", "clip"],
    titles=["randen", "Sobel rechts", "Sobel onder", "samen"],
    size=3,
)
# Na elkaar: eerst Gaussisch vervagen, dan randen: minder ruis, de munten blijven over.
show(cl.correlate(cl.correlate(coins, "gaussian-5"), "edge"), mapping="abs", size=3)

# %% [markdown]
# ## 7. Convolutie of correlatie? De filter 180° draaien
#
# Tot nu toe legden we de filter **zoals hij is** op de foto. Dat heet eigenlijk
# **correlatie** (`cl.correlate`). Zo doen de demo op de leerpagina en AI-bibliotheken als
# PyTorch en TensorFlow het, ook al noemen ze het "convolutie".
#
# Bij een echte **convolutie** (`cl.convolve`, en `scipy.signal.convolve2d` uit de
# KIKS-notebook) draai je de filter eerst **180°**: de onderste rij wordt de
# bovenste en links wordt rechts. Pas dan vermenigvuldig en tel je op.
#
# Is een filter na 180° draaien nog dezelfde (zoals vervagen of randen), dan maakt het niet
# uit. Bij andere filters (zoals reliëf of Sobel) wel. We rekenen het uit op een kleine
# matrix van 5 × 5 met een filter van 3 × 3:
#
# ```
# M =  3 1 0 2 1        K =  1 0  2        K 180° gedraaid           =  0 0 -1
#      0 4 2 0 3             0 1  0                                     0 1  0
#      1 2 5 1 0            -1 0  0                                     2 0  1
#      2 0 0 3 2
#      4 1 2 2 0
# ```

# %% [markdown]
# **Met de hand**, voor de pixel in het midden van M (rij 2, kolom 2). Het venster van
# 3 × 3 eromheen is
#
# ```
# 4 2 0
# 2 5 1
# 0 0 3
# ```
#
# - **Correlatie** (K zoals hij is):
#   4·1 + 2·0 + 0·2 + 2·0 + 5·1 + 1·0 + 0·(−1) + 0·0 + 3·0 = 4 + 5 = **9**
# - **Convolutie** (K gedraaid):
#   4·0 + 2·0 + 0·(−1) + 2·0 + 5·1 + 1·0 + 0·2 + 0·0 + 3·1 = 5 + 3 = **8**
#
# Nu controleren we dat met code. `cl.explain` toont het venster, de filter zoals hij gebruikt
# wordt, de producten en de som. We vragen de uitvoer zonder opvulling (`padding="valid"`):
# die is 3 × 3, en het midden van M hoort bij positie (1, 1).

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
print("Correlatie")
print(step_text(step))
assert step.sum == by_hand_correlation

step = cl.explain(M, K, at=(1, 1), mode="convolve", padding="valid")
print()
print("Convolutie")
print(step_text(step))
assert step.sum == by_hand_convolution

# %% [markdown]
# De hele uitvoer, met convolab en met `scipy.signal.convolve2d` (zoals in de
# KIKS-notebook). Ze geven exact hetzelfde. De KIKS-notebook gebruikt de standaardinstelling
# van scipy, `mode="full"`: dan schuift de filter ook half buiten M, met nullen erbuiten. Bij
# convolab heet dat `padding="full"`. En: correlatie met de gedraaide filter is precies de
# convolutie.

# %%
from scipy.signal import convolve2d

print("correlatie:")
print(cl.correlate(M, K, padding="valid"))
print("convolutie:")
print(cl.convolve(M, K, padding="valid"))
print("scipy convolve2d:")
print(convolve2d(M, K, mode="valid"))

turned = np.rot90(K, 2)  # 180° draaien: twee keer 90°
assert np.array_equal(cl.convolve(M, K, padding="valid"), convolve2d(M, K, mode="valid"))
assert np.array_equal(cl.convolve(M, K, padding="full"), convolve2d(M, K))
assert np.array_equal(cl.correlate(M, turned, padding="valid"), cl.convolve(M, K, padding="valid"))
print("met padding='full':", cl.convolve(M, K, padding="full").shape)

# %% [markdown]
# Op een foto: de randdetectie is na 180° draaien dezelfde, dus correlatie en
# convolutie geven hetzelfde. Sobel naar rechts wordt na 180° draaien Sobel naar links:
# licht en donker wisselen om.

# %%
same = np.array_equal(cl.correlate(photo, "edge"), cl.convolve(photo, "edge"))
print("randen: correlatie = convolutie?", same)
show(
    cl.correlate(zoom, "sobel-x"),
    cl.convolve(zoom, "sobel-x"),
    mapping="offset",
    titles=["Sobel, correlatie", "Sobel, convolutie"],
)

# %% [markdown]
# ### Stap voor stap
# Schuif met de schuifregelaar (of met de pijltjestoetsen) over alle posities, van links naar
# rechts en van boven naar onder. Kies correlatie of convolutie en kijk hoe de filter
# verandert.

# %%
out_rows, out_cols = cl.correlate(M, K, padding="valid").shape
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
    step_table.value = f"<pre>{html.escape(step_text(step))}</pre>"


position.observe(update_step, names="value")
mode_choice.observe(update_step, names="value")
display(mode_choice, position, step_info, step_table)
update_step()

# %% [markdown] tags=["exercise"]
# ### ✏️ Oefening 7
# Reken met de hand de **convolutie** uit voor de eerste positie, linksboven: het venster is
# `M[0:3, 0:3]`. Vergeet niet de filter te draaien! Vul je getal in en voer het vak uit om te
# controleren.

# %% tags=["answer", "exercise-7", "pupil"]
# Oefening 7: vul jouw getal in, bijvoorbeeld my_answer = 12
my_answer = None

correct = cl.convolve(M, K, padding="valid")[0, 0]
if my_answer is None:
    print("Nog niet ingevuld.")
elif my_answer == correct:
    print("Juist!")
else:
    print("Nog niet juist. Kijk nog eens naar de gedraaide filter.")

# %% tags=["answer", "exercise-7", "teacher"]
# Oefening 7: venster 3 1 0 / 0 4 2 / 1 2 5, gedraaide filter 0 0 -1 / 0 1 0 / 2 0 1:
# 3·0 + 1·0 + 0·(−1) + 0·0 + 4·1 + 2·0 + 1·2 + 2·0 + 5·1 = 4 + 2 + 5 = 11
my_answer = 11

correct = cl.convolve(M, K, padding="valid")[0, 0]
if my_answer is None:
    print("Nog niet ingevuld.")
elif my_answer == correct:
    print("Juist!")
else:
    print("Nog niet juist. Kijk nog eens naar de gedraaide filter.")
assert my_answer == correct

# %% [markdown]
# ## 8. De rand van de foto en de grootte van het resultaat
#
# Aan de rand van de foto steekt de filter erbuiten. Daar kan je twee dingen aan doen:
# - **Geen opvulling** (`padding="valid"`): de filter blijft binnen de foto. Het resultaat
#   wordt dan wat kleiner.
# - **Opvullen** (`padding="same"`): je legt een rand rond de foto, zodat het resultaat even
#   groot blijft. Met `padding="full"` schuift de filter zelfs helemaal tot buiten de foto.

# %%
print("foto:", photo.shape)
for padding in ["valid", "same", "full"]:
    print(
        f"{padding:6} 3 × 3: {cl.correlate(photo, 'edge', padding=padding).shape}"
        f"   31 × 31: {cl.correlate(photo, cl.box(31), padding=padding).shape}"
    )

# %% [markdown]
# Wat komt er in die rand? Dat kies je met `border`. Hier zie je voor de rij `1 2 3 4 5`
# welke getallen links naast de rij komen (vóór de `|`), als de filter 5 breed is:

# %%
row = np.array([[1, 2, 3, 4, 5]])
for name, b in cl.BORDERS.items():
    window = cl.explain(row, np.ones((1, 5)), at=(0, 0), border=name).window[0]
    print(
        f"{name:10} {window[0]:g} {window[1]:g} | {window[2]:g} {window[3]:g} {window[4]:g}"
        f"   {b.nl if LANG == 'nl' else b.en}"
    )

# %% [markdown]
# Met een grote vervagingsfilter (31 × 31) zie je het verschil goed: met nullen
# (`"zero"`) wordt de rand van het resultaat donker, want er worden zwarte pixels mee
# uitgemiddeld. Met spiegelen (`"reflect"`) niet.

# %%
big_blur = cl.box(31)
show(
    cl.correlate(photo, big_blur, border="zero"),
    cl.correlate(photo, big_blur, border="reflect"),
    titles=['border="zero"', 'border="reflect"'],
)

# %% [markdown]
# ### Verdieping: de grootte van het resultaat
# *Dit deel mag je overslaan.* Ook de **stapgrootte** (`stride`: hoeveel pixels de filter
# telkens opschuift) en de **dilatatie** (`dilation`: de cellen van de filter liggen verder
# uit elkaar) bepalen hoe groot het
# resultaat is. Voor elke richting geldt
#
# o = ⌊(i + 2p − k − (k − 1)(d − 1)) / s⌋ + 1
#
# met i de grootte van de invoer, k de grootte van de filter, p de opvulling aan elke kant,
# s de stapgrootte en d de dilatatie. ⌊ ⌋ betekent: naar beneden afronden.
# `cl.explain_output_size` vult de getallen voor je in.

# %%
for padding, stride, dilation in [(0, 1, 1), (1, 1, 1), (1, 2, 1), (0, 1, 2)]:
    size = cl.explain_output_size(512, 3, padding=padding, stride=stride, dilation=dilation)
    print(f"padding={padding}, stride={stride}, dilation={dilation}:")
    print("   ", size.text(LANG))
    result = cl.correlate(photo, "edge", padding=padding, stride=stride, dilation=dilation)
    assert result.shape == (size.value, size.value)

# %% [markdown] tags=["exercise"]
# ### ✏️ Oefening 8
# Een foto van 28 × 28 pixels, een filter van 5 × 5, geen opvulling en stapgrootte 2. Hoe groot is
# het resultaat? Reken het eerst uit met de formule (zie de verdieping hierboven). Vul dan je getal in en voer het vak uit.

# %% tags=["answer", "exercise-8", "pupil"]
# Oefening 8: vul jouw getal in.
my_size = None

correct = cl.output_size(28, 5, padding=0, stride=2)
if my_size is None:
    print("Nog niet ingevuld.")
elif my_size == correct:
    print("Juist!")
else:
    print("Nog niet juist. Denk aan het afronden naar beneden.")

# %% tags=["answer", "exercise-8", "teacher"]
# Oefening 8: o = ⌊(28 + 0 − 5) / 2⌋ + 1 = ⌊23 / 2⌋ + 1 = 11 + 1 = 12
my_size = 12

correct = cl.output_size(28, 5, padding=0, stride=2)
if my_size is None:
    print("Nog niet ingevuld.")
elif my_size == correct:
    print("Juist!")
else:
    print("Nog niet juist. Denk aan het afronden naar beneden.")
assert my_size == correct
print(cl.explain_output_size(28, 5, padding=0, stride=2).text(LANG))

# %% [markdown]
# ## 9. Je eigen foto
#
# Kies een foto van je computer met de knop hieronder en voer daarna het volgende vak uit.
# Kies je geen foto, dan gebruiken we de kat.

# %%
upload = widgets.FileUpload(accept="image/*", multiple=False, description="Kies een foto")
display(upload)


# %%
def own_photo():
    """De gekozen foto in grijstinten, of de kat als er geen foto gekozen is."""
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
    titles=["jouw foto", "randen", "reliëf"],
)

# %% [markdown] tags=["exercise"]
# ### ✏️ Oefening 9
# Kies een filter (of maak er zelf een) die iets moois of iets nuttigs doet met jouw foto.
# Bewaar het resultaat als afbeelding met `cl.save_image("bestandsnaam.png", resultaat)`.

# %% tags=["answer", "exercise-9", "pupil"]
# Oefening 9: schrijf hier je code.


# %% tags=["answer", "exercise-9", "teacher"]
# Oefening 9: een voorbeeld. Eerst vervagen, dan reliëf; bewaard met "clip".
result = cl.correlate(cl.correlate(mine, "gaussian-3"), "emboss")
saved = cl.save_image("mijn_relief.png", result)
show(mine, cl.load_image(saved), titles=["jouw foto", "bewaard"])
assert np.array_equal(cl.load_image(saved), cl.to_display(result))

# %% [markdown]
# ## 10. De laag die zelf een filter leert
#
# In een neuraal netwerk kiest niemand de getallen van de filter. Een **convolutielaag**
# begint met willekeurige getallen en leert de juiste zelf.
#
# Dat proberen we hier. We verstoppen een filter (Sobel naar rechts). De laag ziet de foto en
# het resultaat van de verstopte filter, maar niet de filter zelf. Na elke stap past ze haar
# 9 getallen een klein beetje aan, zodat haar resultaat meer lijkt op het gewenste resultaat.
# Dat heet **gradient descent**: stap voor stap afdalen naar een kleiner **verlies** (hoe ver
# het resultaat van de laag van het gewenste resultaat ligt).

# %%
from convolab.learn import FilterLearner

hidden = "sobel-x"
learner = FilterLearner(hidden, image="grass", size=64)
start = learner.kernel
state = learner.fit(max_steps=300)
STATUS = {
    "ready": "nog niet begonnen",
    "learning": "nog aan het leren",
    "converged": "gevonden",
    "diverged": "ontspoord",
    "at_floor": "zo goed als een filter kan",
}
print(
    f"Na {state.step} stappen is het grootste verschil met de verstopte filter {state.max_abs_error:.4f}."
)
print("geleerd:")
print_grid(state.kernel.round(2) + 0.0)  # + 0.0 maakt van -0 gewoon 0
print("verstopt:")
print_grid(cl.kernel(hidden))


# %%
def show_kernels(kernels, titles):
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

# %% [markdown]
# **Verdieping** (mag je overslaan): het verlies na elke stap. De verticale as is
# logaritmisch: elke streep is 10 keer kleiner dan de vorige, zodat je ook de kleine waarden
# aan het eind nog ziet dalen.

# %%
plt.figure(figsize=(6, 2.5))
plt.plot(learner.history)
plt.yscale("log")
plt.xlabel("stap")
plt.ylabel("verlies")
plt.show()

# %% [markdown]
# ### Verdieping: hetzelfde in gewoon PyTorch
# *Dit deel mag je overslaan.* `FilterLearner` doet niets geheims. Dit is dezelfde training in een tiental regels PyTorch,
# de bibliotheek waarmee echte neurale netwerken gemaakt worden. De laag `nn.Conv2d` doet
# **correlatie** (deel 7): ze leert de verstopte filter zoals hij is, niet gedraaid.

# %%
import torch
from torch import nn

crop = cl.sample("grass")[224:288, 224:288].astype(float)
x = (
    crop - crop.mean()
) / crop.std()  # gemiddelde 0, standaardafwijking 1: zo leert een netwerk vlotter
wanted = cl.correlate(x, hidden, padding="valid")  # wat de laag moet leren maken
x_t = torch.tensor(x, dtype=torch.float32)[None, None]  # vorm (1, 1, 64, 64): 1 foto, 1 kanaal
wanted_t = torch.tensor(wanted, dtype=torch.float32)[None, None]

torch.manual_seed(0)
layer = nn.Conv2d(1, 1, kernel_size=3, bias=False)
optimizer = torch.optim.Adam(layer.parameters(), lr=0.1)
for i in range(300):
    optimizer.zero_grad()
    loss = torch.mean((layer(x_t) - wanted_t) ** 2)  # het verlies: gemiddelde van de kwadraten
    loss.backward()  # in welke richting moet elk getal van de filter?
    optimizer.step()  # een klein stapje in die richting
    if i % 100 == 0:
        print(f"stap {i}: verlies {loss.item():.3g}")

learned = layer.weight.detach()[0, 0].numpy()
print_grid(learned.round(2) + 0.0)
assert np.abs(learned - cl.kernel(hidden).values).max() < 0.05

# %% [markdown] tags=["exercise"]
# ### ✏️ Oefening 10
# Laat de laag een andere filter vinden: kies een naam uit de lijst van deel 6, of typ zelf
# getallen, zoals `"1 0 -1; 1 0 -1; 1 0 -1"`. Probeer daarna `"mirror"`: het spiegelbeeld
# van de foto (links en rechts omgewisseld). Lukt dat ook? Waarom wel of niet?

# %% tags=["answer", "exercise-10", "pupil"]
# Oefening 10: kies een filter en voer het vak uit.
target = "emboss"
state2 = FilterLearner(target, image="grass", size=64).fit(max_steps=300)
print(STATUS[state2.status], "na", state2.step, "stappen")
print_grid(state2.kernel.round(2) + 0.0)

# %% tags=["answer", "exercise-10", "teacher"]
# Oefening 10: elke filter van 3 × 3 vindt de laag terug.
for target in ["emboss", "1 0 -1; 1 0 -1; 1 0 -1"]:
    state2 = FilterLearner(target, image="grass", size=64).fit(max_steps=300)
    print(target, ":", STATUS[state2.status], "na", state2.step, "stappen")
    assert state2.converged
# Spiegelen lukt niet: een pixel helemaal links moet naar rechts, veel verder dan een filter
# van 3 × 3 reikt. Geen enkele filter kan dat; het verlies blijft hoog.
mirror = FilterLearner("mirror", image="grass", size=64)
state3 = mirror.fit(max_steps=300)
print(f"mirror: de beste filter verklaart maar {mirror.explained:.0%} van het resultaat")
assert not state3.achievable

# %% [markdown]
# ## 11. Signalen
#
# Convoluties werken niet alleen op foto's. Een **signaal** is een rij metingen na elkaar:
# een hartfilmpje (ECG), geluid, de temperatuur, een aandelenkoers. De filter is dan een
# rijtje getallen dat langs het signaal schuift. Hetzelfde idee, met één dimensie minder.
#
# Het gemiddelde van 9 metingen na elkaar (`moving_average(9)`) strijkt de ruis van een
# hartfilmpje glad.

# %%
from convolab import signals as sg

ecg = sg.signal("ecg")
print(ecg.info.about_nl if LANG == "nl" else ecg.info.about_en)
first = ecg.values[: 5 * 360]  # de eerste 5 seconden: 360 metingen per seconde
seconds = ecg.times[: 5 * 360]
ecg_smooth = sg.correlate1d(first, sg.moving_average(9))
plt.figure(figsize=(10, 3))
plt.plot(seconds, first, lw=0.8, label="ECG")
plt.plot(seconds, ecg_smooth, lw=1.5, label="gemiddelde van 9")
plt.xlabel("seconden")
plt.ylabel("mV")
plt.legend()
plt.show()

# %% [markdown]
# **Hartslagen tellen** kan ook met convoluties: neem het verschil met de vorige meting
# (zo vallen de steile pieken op), maak alles positief (kwadrateren), neem het gemiddelde over
# 150 milliseconden (één heuvel per hartslag) en tel de heuvels boven een drempel.
# `sg.detect_beats` doet die stappen (naar Pan en Tompkins, 1985).

# %%
beats = sg.detect_beats(ecg)
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
plt.show()

# %% [markdown]
# Een **voortschrijdend gemiddelde** op een aandelenkoers: elke maand het gemiddelde van
# de laatste 12 maanden. Het kijkt alleen naar het verleden (niemand kent de koers van
# volgende maand), daarom gebruiken we `trailing1d`. Zie je dat het gemiddelde wat achterloopt?

# %%
apple = sg.signal("price-aapl")
average = sg.trailing1d(apple, sg.moving_average(12))
plt.figure(figsize=(10, 3))
plt.plot(apple.dates, apple.values, label="Apple")
plt.plot(apple.dates, average, label="gemiddelde van 12 maanden")
plt.ylabel("USD")
plt.legend()
plt.show()

# %% [markdown] tags=["exercise"]
# ### ✏️ Oefening 11
# Neem het gemiddelde over 3 en over 25 metingen van de eerste 5 seconden van het ECG. Wat
# gebeurt er met de ruis? En met de hoge, smalle pieken van de hartslagen?

# %% tags=["answer", "exercise-11", "pupil"]
# Oefening 11: probeer n = 3 en n = 25.
n = 9
plt.figure(figsize=(10, 3))
plt.plot(seconds, sg.correlate1d(first, sg.moving_average(n)))
plt.show()

# %% tags=["answer", "exercise-11", "teacher"]
# Oefening 11: met 3 blijft er ruis over. Met 25 (70 milliseconden) is de ruis weg, maar
# de smalle pieken worden lager en breder: ze worden mee uitgesmeerd.
plt.figure(figsize=(10, 3))
for n in [3, 25]:
    plt.plot(seconds, sg.correlate1d(first, sg.moving_average(n)), label=f"n = {n}")
plt.legend()
plt.show()
peak_3 = sg.correlate1d(first, sg.moving_average(3)).max()
peak_25 = sg.correlate1d(first, sg.moving_average(25)).max()
print(f"hoogste piek: {peak_3:.2f} mV met 3, {peak_25:.2f} mV met 25")
assert peak_25 < peak_3

# %% [markdown]
# ## Wat heb je geleerd?
#
# - Een foto is een raster van getallen; een filter ook.
# - Een convolutie schuift de filter over de foto: vermenigvuldigen en optellen geeft één
#   nieuwe pixel.
# - Met andere getallen in de filter vind je randen, lijnen in een richting, of maak je de
#   foto zachter of scherper.
# - Een resultaat kan negatief zijn of boven 255 komen: `"clip"`, `"abs"` en `"offset"` zijn
#   drie manieren om het toch te tonen.
# - Bij een echte convolutie draai je de filter 180°; AI-bibliotheken doen dat niet
#   (correlatie).
# - Opvulling, stapgrootte en dilatatie bepalen hoe groot het resultaat is.
#
# - Een **convolutielaag** leert de getallen van haar filter zelf, stap voor stap.
# - Dezelfde convoluties werken ook op signalen: een hartfilmpje, een koers, geluid.
