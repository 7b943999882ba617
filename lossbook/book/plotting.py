"""Figure style for the book: white background, readable fonts, colour-blind-safe colours.

Colour is never the only thing that tells two curves apart: the property cycle pairs each
Okabe-Ito colour with its own line style (``LINESTYLES``), so the n-th curve drawn
without an explicit style is told apart by its dash pattern as well as by its colour
(WCAG 2.1, success criterion 1.4.1, "Use of Color"), in greyscale print too.

matplotlib is imported only when a function here is called, so ``import
lossbook`` does not need it. The site has a dark mode; figures keep a white
figure and axes background so that they stay readable in both themes.
"""

from __future__ import annotations

import contextlib

__all__ = ["OKABE_ITO", "LINESTYLES", "style_params", "use_style", "style"]

#: Okabe-Ito colour-blind-safe palette (black last, used sparingly).
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

#: Line styles cycled together with :data:`OKABE_ITO` (one per colour, all different):
#: solid, dashed, dash-dot, dotted, then four dash patterns as ``(offset, (on, off, ...))``.
#: Markers are deliberately not in the cycle: a cycled marker needs a cycled ``markevery``
#: to stay readable on a curve of hundreds of points, and ``markevery`` would then also
#: thin out marker-only plots (a rug plot of 40 points drew 7 markers), hiding data.
LINESTYLES = (
    "-",
    "--",
    "-.",
    ":",
    (0, (6, 1.5)),  # long dashes
    (0, (3, 1, 1, 1, 1, 1)),  # dash-dot-dot
    (0, (1, 3)),  # loose dots
    (0, (8, 2, 2, 2, 2, 2)),  # long dash, two short
)


def style_params() -> dict:
    """The rcParams applied by :func:`use_style` (a plain dict, no matplotlib needed).

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import book
    >>> p = book.style_params()
    >>> p["figure.facecolor"], p["axes.facecolor"]
    ('white', 'white')
    """
    return {
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "savefig.transparent": False,
        "figure.edgecolor": "white",
        "axes.edgecolor": "#333333",
        "axes.labelcolor": "#222222",
        "text.color": "#222222",
        "xtick.color": "#333333",
        "ytick.color": "#333333",
        # sizes in pt at the figure's own size; the 1280 px layout's column is about 660 px
        # (6.9 in), so a wider figure is shrunk and its text with it: two-panel figures are
        # 7.2 in wide (shown at about 0.97), chapter cells pass fontsize >= 10, and every
        # text must stay >= 9 pt as displayed (tests/test_site_layout.py measures the SVGs)
        "font.size": 12,
        "axes.titlesize": 12,
        "axes.labelsize": 12,
        "legend.fontsize": 11,
        "xtick.labelsize": 12,
        "ytick.labelsize": 12,
        "lines.linewidth": 2.0,
        "axes.grid": True,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "figure.figsize": (6.0, 3.8),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "savefig.bbox": "tight",
        # the site shows figures as SVG (vector: crisp at any zoom); text drawn as paths, so
        # it looks the same without the font, and a fixed salt, so a rebuild gives the same file
        "svg.fonttype": "path",
        "svg.hashsalt": "lossbook",
    }


def _cycler():
    """Colour and line style together: the n-th curve gets OKABE_ITO[n] and LINESTYLES[n]."""
    from cycler import cycler

    return cycler(color=list(OKABE_ITO)) + cycler(linestyle=list(LINESTYLES))


def use_style() -> None:
    """Apply the book style globally (``matplotlib.rcParams``).

    Besides :func:`style_params`, the property cycle pairs each Okabe-Ito colour with a
    line style of its own (``LINESTYLES``). A format string or an explicit
    ``linestyle=`` still wins for that curve.

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import book
    >>> book.use_style()  # doctest: +SKIP
    """
    import matplotlib as mpl

    mpl.rcParams.update(style_params())
    mpl.rcParams["axes.prop_cycle"] = _cycler()
    _inline_formats()


def _inline_formats() -> None:
    """In a Jupyter kernel, emit each figure twice: SVG for the site, PDF for print (both vector).

    The HTML edition shows the SVG (myst-nb prefers ``image/svg+xml`` to ``image/png``); the
    PDF edition prefers ``application/pdf``
    (``nb_mime_priority_overrides`` in ``_config.yml``). Outside a kernel nothing changes.
    """
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("svg", "pdf")


@contextlib.contextmanager
def style():
    """Context manager applying the book style temporarily.

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import book
    >>> with book.style():  # doctest: +SKIP
    ...     pass
    """
    import matplotlib as mpl

    params = dict(style_params())
    params["axes.prop_cycle"] = _cycler()
    with mpl.rc_context(params):
        yield
