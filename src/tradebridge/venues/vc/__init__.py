"""Visual Chart 6 (Windows, COM) behind a seam: the COM backend, its mapping tables, a fake and traces.

Importing this package never imports comtypes: only creating
:class:`~tradebridge.venues.vc.comtypes_backend.ComtypesBackend` does, and only on Windows.
"""
