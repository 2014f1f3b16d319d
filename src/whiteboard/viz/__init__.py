"""Pictures: figure functions (``plots``), live ipywidgets explorers (``explorers``, the only
module that imports ipywidgets) and the static frame players of the HTML book (``players``).
"""
