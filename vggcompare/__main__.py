"""Allow ``python -m vggcompare``."""

from vggcompare.cli import main

raise SystemExit(main())
