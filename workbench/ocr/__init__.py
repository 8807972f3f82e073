"""OCR: preprocessing, the Tesseract wrapper, language handling and the batch runner."""
