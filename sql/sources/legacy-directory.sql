-- The demo's legacy directory: a small SQLite database that sql/ods/050_copy_legacy_directory.copy.json
-- copies into the ods stage (dmr copy inside a stage). legacy-directory.db is built from this file:
--   rm -f sql/sources/legacy-directory.db && sqlite3 sql/sources/legacy-directory.db < sql/sources/legacy-directory.sql
create table districts (
  district_id integer not null primary key,
  district_name varchar(100) not null,
  nces_lea_id char(7) not null,
  state_code char(2) not null,
  opened_on date
);

insert into districts (district_id, district_name, nces_lea_id, state_code, opened_on) values
  (1, 'District 1', '0100001', 'AL', '1961-07-01'),
  (2, 'District 2', '0100002', 'AL', '1974-07-01'),
  (3, 'District 3', '0100003', 'AL', '1988-07-01'),
  (4, 'District 4', '0100004', 'AL', null);

-- School days of school years 2023 (2022-08-22 .. 2023-06-02) and 2024 (2023-08-21 .. 2024-05-31):
-- weekdays only; Thanksgiving Thursday and Friday and the winter break are holidays, the first
-- weekday of each year is a teacher workday.
create table calendar_days (
  school_year integer not null,
  calendar_date date not null,
  day_type varchar(20) not null,
  primary key (school_year, calendar_date)
);

with recursive d (day) as (
  select '2022-08-22'
  union all
  select date(day, '+1 day') from d where day < '2024-05-31'
)
insert into calendar_days (school_year, calendar_date, day_type)
select
  case when day < '2023-07-01' then 2023 else 2024 end,
  day,
  case
    when day in ('2022-08-22', '2023-08-21') then 'teacher-workday'
    when day in ('2022-11-24', '2022-11-25', '2023-11-23', '2023-11-24') then 'holiday'
    when day between '2022-12-23' and '2023-01-02' or day between '2023-12-22' and '2024-01-01' then 'holiday'
    else 'instructional'
  end
from d
where strftime('%w', day) not in ('0', '6')
  and (day <= '2023-06-02' or day >= '2023-08-21');
