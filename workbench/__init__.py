"""Workbench: OCR correction and transcription of Soviet-era Russian and Azerbaijani Cyrillic typescripts."""

__version__ = "0.1.0"
