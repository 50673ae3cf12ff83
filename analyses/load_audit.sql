-- Auditor's view of what each load batch brought: files, rows and rejects per raw table.
select
    batch_id,
    table_name,
    min(loaded_at) as loaded_at,
    count(*) as files,
    sum(rows_read) as rows_read,
    sum(rows_inserted) as rows_inserted,
    sum(rows_already_loaded) as rows_already_loaded,
    sum(rows_rejected) as rows_rejected
from {{ source('audit', 'load_log') }}
group by batch_id, table_name
order by loaded_at desc, table_name asc
