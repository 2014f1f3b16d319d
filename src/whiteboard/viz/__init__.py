"""Pictures: figure functions (``plots``), live ipywidgets explorers (``explorers``, the only
module that imports ipywidgets), the static frame players of the HTML book (``players``), the
in-page quiz, playground and trainer (``quiz``, ``playground``, ``trainer``), whose
JavaScript in ``js/`` reaches a page one way (``script``).
"""
