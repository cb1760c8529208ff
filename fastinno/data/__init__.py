"""The data layer: indicator systems, panels, expert surveys and the bundled data sets.

Modules: :mod:`~fastinno.data.system` (indicator systems), :mod:`~fastinno.data.panel` (the
panel), :mod:`~fastinno.data.read_panel` (reading panels, missing-value policies),
:mod:`~fastinno.data.survey` (expert surveys, factor tables),
:mod:`~fastinno.data.linguistic` (linguistic scales, grey scores, expert weights) and
:mod:`~fastinno.data.datasets` (bundled data). The data files themselves live in this folder.
"""
