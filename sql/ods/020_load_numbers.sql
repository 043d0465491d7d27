-- ods: a tally table 0..9999, the row source for the generated demo data.
-- Recursion stays 99 levels deep (within MySQL's and SQL Server's default limits);
-- the cross join gives 100 x 100 = 10000 numbers.
-- SQL Server has no RECURSIVE keyword: see 020_load_numbers.mssql.sql.
delete from ods_numbers;

insert into ods_numbers (n)
with recursive seq (i) as (
  select 0
  union all
  select i + 1 from seq where i < 99
)
select hi.i * 100 + lo.i
from seq hi
cross join seq lo;
