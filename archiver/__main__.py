"""``python -m archiver`` is the same as the ``archiver`` command."""

from archiver.cli import main

if __name__ == "__main__":
    main()
