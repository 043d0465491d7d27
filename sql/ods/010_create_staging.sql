-- ods: staging tables for the demo education data flow.
-- Re-runnable: every table is dropped and created again.
drop table if exists ods_enrollments;
drop table if exists ods_students;
drop table if exists ods_schools;
drop table if exists ods_grade_levels;
drop table if exists ods_numbers;

create table ods_numbers (
  n integer not null primary key
);

create table ods_grade_levels (
  grade_level_code varchar(2) not null primary key,
  grade_level_name varchar(40) not null,
  sort_order integer not null
);

create table ods_schools (
  school_id integer not null primary key,
  school_name varchar(100) not null,
  district_name varchar(100) not null,
  school_level varchar(20) not null,
  is_charter integer not null
);

create table ods_students (
  student_id integer not null primary key,
  first_name varchar(50) not null,
  last_name varchar(50) not null,
  birth_year integer not null,
  sex_code varchar(1) not null,
  is_english_learner integer not null,
  has_iep integer not null
);

create table ods_enrollments (
  enrollment_id integer not null primary key,
  student_id integer not null,
  school_id integer not null,
  grade_level_code varchar(2) not null,
  school_year integer not null
);
