"""The iGov adapter in the services layer: assignment by iGov groups, iGov checks, beans and mail tasks."""
