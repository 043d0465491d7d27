-- ods: a tally table 0..9999 (SQL Server variant of 020_load_numbers.sql:
-- T-SQL has no RECURSIVE keyword and puts WITH before INSERT).
delete from ods_numbers;
GO

with seq (i) as (
  select 0
  union all
  select i + 1 from seq where i < 99
)
insert into ods_numbers (n)
select hi.i * 100 + lo.i
from seq hi
cross join seq lo
option (maxrecursion 0);
GO
