"""Training the project's recognition model: Tesseract's training programs and ``workbench train``."""
