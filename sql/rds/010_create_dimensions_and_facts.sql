-- rds: dimension and fact tables. Re-runnable: dropped and created again.
-- Surrogate keys are assigned with row_number() in the load tasks (no identity columns,
-- which differ on every engine). Natural keys are unique: the fact load joins on them
-- (without an index MariaDB's nested-loop join takes minutes).
drop table if exists fact_enrollments;
drop table if exists dim_students;
drop table if exists dim_schools;
drop table if exists dim_grade_levels;

create table dim_grade_levels (
  grade_level_key integer not null primary key,
  grade_level_code varchar(2) not null unique,
  grade_level_name varchar(40) not null,
  sort_order integer not null
);

create table dim_schools (
  school_key integer not null primary key,
  school_id integer not null unique,
  school_name varchar(100) not null,
  district_name varchar(100) not null,
  school_level varchar(20) not null,
  is_charter integer not null
);

create table dim_students (
  student_key integer not null primary key,
  student_id integer not null unique,
  full_name varchar(101) not null,
  birth_year integer not null,
  sex_code varchar(1) not null,
  is_english_learner integer not null,
  has_iep integer not null
);

create table fact_enrollments (
  enrollment_id integer not null primary key,
  school_year integer not null,
  school_key integer not null,
  student_key integer not null,
  grade_level_key integer not null,
  enrollment_count integer not null
);
