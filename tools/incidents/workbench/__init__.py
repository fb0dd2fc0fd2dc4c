"""The coder's workbench: a local web app to code records from an archived report, in the browser.

The report on one side, a record on the other: selecting a passage attaches it as evidence (offsets computed
here, never typed), codelist fields are choices, actors are picked or created, and the record is checked by
the validator as it is edited. Saving writes the files the CLI would write. The pure parts are `offsets` and
`forms`; `store` is the dataset edge; `app` the Flask routes, bound to 127.0.0.1 and refusing other origins.
"""
