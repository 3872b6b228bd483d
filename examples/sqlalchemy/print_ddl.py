#!/usr/bin/python3
"""Prints the PostgreSQL DDL of a SQLAlchemy MetaData, in creation order, for `stairway drift`.

Usage: print_ddl.py MODULE_FILE [ATTRIBUTE=metadata] > model.sql
       stairway drift --model model.sql migrations/
No database is contacted: SQLAlchemy's mock engine renders the statements.
"""
import importlib.util
import sys

from sqlalchemy import create_mock_engine


def load_metadata(path, attribute):
    spec = importlib.util.spec_from_file_location("stairway_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, attribute)


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    metadata = load_metadata(argv[1], argv[2] if len(argv) == 3 else "metadata")

    statements = []

    def emit(sql, *multiparams, **params):
        # SQLAlchemy ends column lines with ", "; trailing blanks are dropped so the committed
        # model.sql stays free of whitespace noise.
        text = str(sql.compile(dialect=engine.dialect)).strip()
        statements.append("\n".join(line.rstrip() for line in text.split("\n")))

    engine = create_mock_engine("postgresql+psycopg2://", emit)
    metadata.create_all(engine, checkfirst=False)
    # A table's indexes live in a set, so their order changes from run to run; sorting each run
    # of consecutive CREATE INDEX statements keeps the output byte-stable (CI diffs it).
    out, run = [], []
    for statement in statements + [None]:
        if statement is not None and statement.startswith(("CREATE INDEX", "CREATE UNIQUE INDEX")):
            run.append(statement)
            continue
        out.extend(sorted(run))
        run = []
        if statement is not None:
            out.append(statement)
    # A blank line between statements, none after the last.
    sys.stdout.write("".join(f"{s};\n" if i == 0 else f"\n{s};\n" for i, s in enumerate(out)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
